// Organization: the request's organization (currentOrganization), the ones the user belongs
// to (myOrganizations) and renaming one (owners only). Organizations live in the central
// database; these resolvers go through ctx.accounts.
import { Role, Tier } from "../../data/generated/central/enums.ts";
import type { CurrentOrg } from "../context.ts";
import { recordIn } from "../access.ts";
import { builder } from "../builder.ts";
import { textRule } from "../input-rules.ts";

const TierEnum = builder.enumType(Tier, { name: "Tier", description: "How the organization's data is isolated." });

export const RoleEnum = builder.enumType(Role, {
  name: "Role",
  description:
    "VIEWER reads; MEMBER also writes items; ADMIN also manages projects and members; OWNER also manages the organization.",
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
  currentOrganization: t.withAuth({ signedIn: true }).field({
    type: OrganizationRef,
    nullable: true,
    description:
      "The organization this request acts for (token `org` claim or X-Org-Id header); null when none is selected " +
      "(switchOrganization picks one, createOrganization makes one).",
    resolve: (_root, _args, ctx) => ctx.org,
  }),
  myOrganizations: t.withAuth({ signedIn: true }).field({
    type: [OrganizationRef],
    description: "Every organization the signed-in user belongs to, by name (switchOrganization picks one).",
    resolve: (_root, _args, ctx) => ctx.accounts.organizations.organizationsOf(ctx.user.id),
  }),
}));

builder.mutationField("updateOrganization", (t) =>
  t.withAuth({ role: "OWNER" }).field({
    type: OrganizationRef,
    description: "Owners only.",
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.accounts.organizations.renameOrganization(ctx.org.id, input.name, recordIn(ctx));
      return { ...ctx.org, name: input.name };
    },
  }),
);
