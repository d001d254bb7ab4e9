// Organization: the request's organization (currentOrganization), the ones the user belongs
// to (myOrganizations) and renaming one (owners only). Organizations live in the central
// database; these resolvers go through ctx.accounts.
import { ROLES } from "../../accounts/roles.ts";
import type { CurrentOrg } from "../context.ts";
import { requireOrg, requireUser } from "../access.ts";
import { builder } from "../builder.ts";
import { textRule } from "../input-rules.ts";

const TierEnum = builder.enumType("Tier", {
  description: "How the organization's data is isolated.",
  values: ["DATABASE", "SCHEMA", "SHARED"] as const,
});

export const RoleEnum = builder.enumType("Role", {
  description: "VIEWER reads; MEMBER also writes items; ADMIN also manages projects and members; OWNER also manages the organization.",
  values: ROLES,
});

export const OrganizationRef = builder.objectRef<CurrentOrg>("Organization").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    tier: t.field({ type: TierEnum, resolve: (org) => org.tier }),
    viewerRole: t.field({ type: RoleEnum, description: "The signed-in user's role here.", resolve: (org) => org.role }),
  }),
});

const UpdateOrganizationInput = builder.inputType("UpdateOrganizationInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1-200 characters.", validate: textRule(200) }),
  }),
});

builder.queryFields((t) => ({
  currentOrganization: t.field({
    type: OrganizationRef,
    description: "The organization this request acts for (token `org` claim or X-Org-Id header).",
    authScopes: { role: "VIEWER" },
    resolve: (_root, _args, ctx) => requireOrg(ctx),
  }),
  myOrganizations: t.field({
    type: [OrganizationRef],
    description: "Every organization the signed-in user belongs to, by name (switchOrganization picks one).",
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) => ctx.accounts.organizations.organizationsOf(requireUser(ctx).id),
  }),
}));

builder.mutationField("updateOrganization", (t) =>
  t.field({
    type: OrganizationRef,
    description: "Owners only.",
    authScopes: { role: "OWNER" },
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const org = requireOrg(ctx);
      await ctx.accounts.organizations.renameOrganization(org.id, input.name);
      return { ...org, name: input.name };
    },
  }),
);
