// Accounts: signUp, logIn and refreshSession (with the account-recovery mutations, the only
// fields that run without a token: `skipTypeScopes`), switchOrganization and
// createOrganization. All but signUp return a Session whose token goes into the Authorization
// header of the next requests; logIn and refreshSession also return the refresh token that
// refreshSession takes next.
import { z } from "zod";
import type { Session } from "../../accounts/sessions.ts";
import type { SignUpAnswer } from "../../accounts/sign-up.ts";
import { auditedLogIn, auditedSignUp } from "../account-events.ts";
import { builder } from "../builder.ts";
import { emailRule, idRule, passwordRule, textRule } from "../input-rules.ts";
import { OrganizationRef } from "./organization.ts";
import { UserRef } from "./user.ts";

/** The User-Agent, shortened: how mySessions tells a user's sessions apart. */
export function clientHint(request: Request): string | null {
  const agent = request.headers
    .get("user-agent")
    ?.replace(/[\p{Cc}]/gu, "")
    .trim();
  return agent ? agent.slice(0, 200) : null;
}

const SessionRef = builder.objectRef<Session>("Session").implement({
  fields: (t) => ({
    token: t.exposeString("token", {
      description: "The access token: send as `Authorization: Bearer <token>`; short-lived (expiresAt).",
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "When `token` expires." }),
    refreshToken: t.exposeString("refreshToken", {
      nullable: true,
      description:
        "From signUp, logIn and refreshSession: exchange it once with refreshSession for the next token pair. " +
        "Keep it secret; using it twice ends the session. Null from switchOrganization/createOrganization " +
        "(the session's refresh token stays valid and keeps the organization).",
    }),
    user: t.field({
      type: UserRef,
      resolve: async (session, _args, ctx) => {
        const user = await ctx.loaders.userById.load(session.userId);
        if (!user) throw new Error("the session's user is missing from the central database");
        return user;
      },
    }),
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: "The organization the token acts for (its `org` claim); null when none is chosen yet.",
      resolve: async (session, _args, ctx) =>
        session.orgId
          ? ((await ctx.accounts.organizations.organizationsOf(session.userId)).find((o) => o.id === session.orgId) ??
            null)
          : null,
    }),
    organizations: t.field({
      type: [OrganizationRef],
      description: "Every organization the user belongs to.",
      resolve: (session, _args, ctx) => ctx.accounts.organizations.organizationsOf(session.userId),
    }),
  }),
});

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    email: t.string({ required: true, validate: emailRule }),
    password: t.string({ required: true, description: "8-256 characters.", validate: passwordRule }),
    name: t.string({
      required: false,
      description: "Defaults to the part of the email before @.",
      validate: textRule(200).nullish(),
    }),
  }),
});

const SignUpResultRef = builder.objectRef<SignUpAnswer>("SignUpResult").implement({
  description:
    "The same answer whether or not the address already had an account: no token (log in with logIn), and a mail to the address.",
  fields: (t) => ({
    email: t.exposeString("email", { description: "The address as stored: trimmed, lower-case." }),
    message: t.exposeString("message", { description: "What happens next." }),
  }),
});

const LogInInput = builder.inputType("LogInInput", {
  fields: (t) => ({
    email: t.string({ required: true, validate: z.string().max(320) }),
    password: t.string({ required: true, validate: z.string().max(256) }),
  }),
});

const CreateOrganizationInput = builder.inputType("CreateOrganizationInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1-200 characters.", validate: textRule(200) }),
    slug: t.string({
      required: true,
      description: "3-40 characters: a-z, 0-9 and single '-', starting with a letter.",
    }),
    subdomain: t.string({
      required: false,
      description:
        "A host name `<subdomain>.<ORG_HOST_SUFFIX>` that selects this organization (when the server has a suffix).",
      validate: z.string().max(63, "must be at most 63 characters").nullish(),
    }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SignUpResultRef,
    description:
      "Creates an account and mails a verification link; a taken address gets a mail instead. The answer is the same either way. No token needed.",
    skipTypeScopes: true,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => auditedSignUp(ctx, input.email, () => ctx.accounts.signUp(input)),
  }),
  logIn: t.field({
    type: SessionRef,
    description:
      "No token needed. A wrong email or password gives the same error; attempts per email are throttled (RATE_LIMITED).",
    skipTypeScopes: true,
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      auditedLogIn(ctx, input.email, () => ctx.accounts.sessions.logIn(input, clientHint(ctx.request))),
  }),
  refreshSession: t.field({
    type: SessionRef,
    description:
      "No access token needed (send none: an expired one is refused). Returns a new access token and the next " +
      "refresh token; the one sent is used up. Sending a used one again ends the session (UNAUTHENTICATED).",
    skipTypeScopes: true,
    args: { refreshToken: t.arg.string({ required: true, validate: z.string().min(1).max(200) }) },
    resolve: (_root, { refreshToken }, ctx) => ctx.accounts.sessions.refresh(refreshToken, clientHint(ctx.request)),
  }),
  switchOrganization: t.withAuth({ signedIn: true }).field({
    type: SessionRef,
    description: "A token that acts for one of your organizations (and your session's refreshed tokens will too).",
    args: { orgId: t.arg.id({ required: true, validate: idRule }) },
    resolve: (_root, { orgId }, ctx) => ctx.accounts.sessions.switchOrganization(ctx.user, orgId.toLowerCase()),
  }),
  createOrganization: t.withAuth({ orgCreator: true }).field({
    type: SessionRef,
    description:
      "Creates an organization (its database is ready when this returns) with you as owner; the token acts for it. " +
      "Needs a verified email address (EMAIL_NOT_VERIFIED) unless REQUIRE_VERIFIED_EMAIL is off.",
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.accounts.organizations.createOrganization(ctx.user, input),
  }),
}));
