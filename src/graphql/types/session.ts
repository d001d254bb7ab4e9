// Accounts: signUp and logIn (the only fields that run without a token: `skipTypeScopes`),
// switchOrganization and createOrganization. Each returns a Session whose token goes into
// the Authorization header of the next requests.
import { z } from "zod";
import type { Session } from "../../accounts/sessions.ts";
import { auditedLogIn, auditedSignUp } from "../account-events.ts";
import { builder } from "../builder.ts";
import { emailRule, idRule, passwordRule, textRule } from "../input-rules.ts";
import { OrganizationRef } from "./organization.ts";
import { UserRef } from "./user.ts";

const SessionRef = builder.objectRef<Session>("Session").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "Send as `Authorization: Bearer <token>`." }),
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
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SessionRef,
    description: "Creates an account. No token needed.",
    skipTypeScopes: true,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_root, { input }, ctx) => auditedSignUp(ctx, input.email, () => ctx.accounts.sessions.signUp(input)),
  }),
  logIn: t.field({
    type: SessionRef,
    description:
      "No token needed. A wrong email or password gives the same error; attempts per email are throttled (RATE_LIMITED).",
    skipTypeScopes: true,
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: (_root, { input }, ctx) => auditedLogIn(ctx, input.email, () => ctx.accounts.sessions.logIn(input)),
  }),
  switchOrganization: t.withAuth({ signedIn: true }).field({
    type: SessionRef,
    description: "A token that acts for one of your organizations.",
    args: { orgId: t.arg.id({ required: true, validate: idRule }) },
    resolve: (_root, { orgId }, ctx) => ctx.accounts.sessions.switchOrganization(ctx.user.id, orgId.toLowerCase()),
  }),
  createOrganization: t.withAuth({ orgCreator: true }).field({
    type: SessionRef,
    description:
      "Creates an organization (its database is ready when this returns) with you as owner; the token acts for it.",
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.accounts.organizations.createOrganization(ctx.user.id, input),
  }),
}));
