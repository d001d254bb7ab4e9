// Managing members, for admins and owners: add an existing account by email, change a role,
// remove. Only owners touch the OWNER role, and an organization keeps at least one owner
// (src/accounts/members.ts). A removed member is refused on their very next request. Each
// change is recorded in the organization's audit log, committed with the change.
import { recordIn } from "../access.ts";
import { builder } from "../builder.ts";
import { emailRule, idRule } from "../input-rules.ts";
import { MemberRef } from "./member.ts";
import { RoleEnum } from "./organization.ts";

const AddMemberInput = builder.inputType("AddMemberInput", {
  fields: (t) => ({
    email: t.string({
      required: true,
      description: "The email of an existing account (signUp first).",
      validate: emailRule,
    }),
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
  addMember: t.withAuth({ role: "ADMIN" }).field({
    type: MemberRef,
    args: { input: t.arg({ type: AddMemberInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.add(ctx.org.id, ctx.user.id, input.email, input.role ?? "MEMBER", recordIn(ctx)),
  }),
  changeRole: t.withAuth({ role: "ADMIN" }).field({
    type: MemberRef,
    args: { input: t.arg({ type: ChangeRoleInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.changeRole(ctx.org.id, ctx.user.id, input.userId.toLowerCase(), input.role, recordIn(ctx)),
  }),
  removeMember: t.withAuth({ role: "ADMIN" }).field({
    type: MemberRef,
    description: "Returns the membership as it was.",
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.accounts.members.remove(ctx.org.id, ctx.user.id, input.userId.toLowerCase(), recordIn(ctx)),
  }),
}));
