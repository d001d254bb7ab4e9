// `me.impersonatedBy`: whether the signed-in session is support access (an operator acting
// as this user with a token from `tenantgraph impersonate`), so clients can show it.
import type { Impersonation } from "../context.ts";
import { builder } from "../builder.ts";
import { UserRef } from "./user.ts";

const SupportAccessRef = builder.objectRef<Impersonation>("SupportAccess").implement({
  description: "An operator acting as the user (RFC 8693 actor); every request is in the organization's audit log.",
  fields: (t) => ({
    operator: t.exposeString("operator"),
    write: t.exposeBoolean("write", { description: "False: read-only (mutations are refused)." }),
    session: t.exposeID("id", { description: "The session's id, in its audit records (details.session)." }),
    expiresAt: t.field({ type: "DateTime", resolve: (session) => session.expiresAt }),
  }),
});

builder.objectField(UserRef, "impersonatedBy", (t) =>
  t.field({
    type: SupportAccessRef,
    nullable: true,
    description: "On `me` only: set while this request uses a support-access (impersonation) token.",
    resolve: (user, _args, ctx) => (ctx.impersonation && ctx.user?.id === user.id ? ctx.impersonation : null),
  }),
);
