import { builder } from "../builder.ts";
import { requireOrg } from "../access.ts";
import type { CurrentOrg } from "../../tenancy/context.ts";

const TierEnum = builder.enumType("Tier", {
  description: "How the organization's data is isolated.",
  values: ["DATABASE", "SCHEMA", "SHARED"] as const,
});

const RoleEnum = builder.enumType("Role", { values: ["OWNER", "ADMIN", "MEMBER", "VIEWER"] as const });

export const OrganizationRef = builder.objectRef<CurrentOrg>("Organization").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    tier: t.field({ type: TierEnum, resolve: (org) => org.tier }),
    viewerRole: t.field({ type: RoleEnum, description: "The signed-in user's role here.", resolve: (org) => org.role }),
  }),
});

builder.queryField("currentOrganization", (t) =>
  t.field({
    type: OrganizationRef,
    description: "The organization this request acts for (token `org` claim or X-Org-Id header).",
    resolve: (_root, _args, ctx) => requireOrg(ctx),
  }),
);
