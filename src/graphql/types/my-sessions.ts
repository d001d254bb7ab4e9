// The signed-in user's sessions: listing them (mySessions), ending this one (logOut) or all
// of them (logOutEverywhere), and changePassword, which ends every other one. An ended
// session's access tokens are refused at once by every process that hears of it
// (src/accounts/revoked-sessions.ts); its refresh token can no longer be used.
import { z } from "zod";
import { builder } from "../builder.ts";
import { passwordRule } from "../input-rules.ts";

interface ActiveSession {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  clientHint: string | null;
  current: boolean;
}

const ActiveSessionRef = builder.objectRef<ActiveSession>("ActiveSession").implement({
  description: "A session you are signed in with (one log-in, refreshed since).",
  fields: (t) => ({
    id: t.exposeID("id"),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When you logged in (or signed up)." }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", description: "The last log-in or refresh." }),
    clientHint: t.exposeString("clientHint", {
      nullable: true,
      description: "The User-Agent of the last log-in or refresh, shortened.",
    }),
    current: t.exposeBoolean("current", { description: "The session of the token making this request." }),
  }),
});

const ChangePasswordInput = builder.inputType("ChangePasswordInput", {
  fields: (t) => ({
    currentPassword: t.string({ required: true, validate: z.string().max(256) }),
    newPassword: t.string({ required: true, description: "8-256 characters.", validate: passwordRule }),
  }),
});

builder.queryField("mySessions", (t) =>
  t.withAuth({ signedIn: true }).field({
    type: [ActiveSessionRef],
    description: "Your live sessions, most recently used first.",
    resolve: (_root, _args, ctx) => ctx.accounts.sessions.mySessions(ctx.user),
  }),
);

builder.mutationFields((t) => ({
  logOut: t.withAuth({ signedIn: true }).boolean({
    description:
      "Ends the session of this request's token: its refresh token and access tokens stop working. " +
      "False when it had already ended.",
    resolve: (_root, _args, ctx) => ctx.accounts.sessions.logOut(ctx.user),
  }),
  logOutEverywhere: t.withAuth({ signedIn: true }).int({
    description: "Ends every one of your sessions, this one included; returns how many were live.",
    resolve: (_root, _args, ctx) => ctx.accounts.sessions.logOutEverywhere(ctx.user),
  }),
  changePassword: t.withAuth({ signedIn: true }).int({
    description:
      "Needs the current password (attempts are throttled like logIn). Ends every other session; " +
      "returns how many ended. This session stays signed in.",
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.passwords.changePassword(ctx.user, input.currentPassword, input.newPassword),
  }),
}));
