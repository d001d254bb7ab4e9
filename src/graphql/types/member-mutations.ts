// Managing members, for admins and owners: add an existing account by email, change a role,
// remove. Only owners touch the OWNER role, and an organization keeps at least one owner
// (src/accounts/members.ts). A removed member is refused on their very next request.
import { requireOrg, requireUser } from "../access.ts";
import { builder } from "../builder.ts";
import { emailRule, idRule } from "../input-rules.ts";
import { MemberRef } from "./member.ts";
import { RoleEnum } from "./organization.ts";

const AddMemberInput = builder.inputType("AddMemberInput", {
  fields: (t) => ({
    email: t.string({ required: true, description: "The email of an existing account (signUp first).", validate: emailRule }),
    role: t.field({ type: RoleEnum, required: false, defaultValue: "MEMBER" }),
  }),
});

const ChangeRoleInput = builder.inputType("ChangeRoleInput", {
  fields: (t) => ({
    userId: t.id({ required: true, validate: idRule }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

const RemoveMemberInput = builder.inputType("RemoveMemberInput", {
  fields: (t) => ({
    userId: t.id({ required: true, validate: idRule }),
  }),
});

builder.mutationFields((t) => ({
  addMember: t.field({
    type: MemberRef,
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: AddMemberInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.add(requireOrg(ctx).id, requireUser(ctx).id, input.email, input.role ?? "MEMBER"),
  }),
  changeRole: t.field({
    type: MemberRef,
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: ChangeRoleInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.changeRole(requireOrg(ctx).id, requireUser(ctx).id, input.userId.toLowerCase(), input.role),
  }),
  removeMember: t.field({
    type: MemberRef,
    description: "Returns the membership as it was.",
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.remove(requireOrg(ctx).id, requireUser(ctx).id, input.userId.toLowerCase()),
  }),
}));
