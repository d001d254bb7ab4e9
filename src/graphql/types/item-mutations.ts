// Item writes, for members and above: create, update, delete, restore and assign. Every write
// to an existing item carries the version the client read (CONFLICT when stale).
import { appError } from "../../errors.ts";
import { requireOrg } from "../access.ts";
import { builder } from "../builder.ts";
import { descriptionRule, idRule, textRule, versionRule } from "../input-rules.ts";
import { changeItem, requireAssignable } from "../item-writes.ts";
import { ItemKindEnum, ItemStatusEnum, PriorityEnum } from "./braid-enums.ts";
import { VersionedIdInput } from "./versioned-id-input.ts";

const CreateItemInput = builder.inputType("CreateItemInput", {
  fields: (t) => ({
    projectId: t.id({ required: true, validate: idRule }),
    kind: t.field({ type: ItemKindEnum, required: false, defaultValue: "ACTION" }),
    title: t.string({ required: true, description: "1-300 characters.", validate: textRule(300) }),
    description: t.string({ required: false, validate: descriptionRule }),
    status: t.field({ type: ItemStatusEnum, required: false, defaultValue: "OPEN" }),
    priority: t.field({ type: PriorityEnum, required: false, defaultValue: "MEDIUM" }),
    assigneeId: t.id({ required: false, description: "A member of the organization.", validate: idRule.nullish() }),
    dueDate: t.field({ type: "Date", required: false }),
  }),
});

const UpdateItemInput = builder.inputType("UpdateItemInput", {
  description: "Fields left out keep their value; dueDate: null clears it. Assign with assignItem.",
  fields: (t) => ({
    id: t.id({ required: true, validate: idRule }),
    version: t.int({ required: true, validate: versionRule }),
    kind: t.field({ type: ItemKindEnum, required: false }),
    title: t.string({ required: false, validate: textRule(300).nullish() }),
    description: t.string({ required: false, validate: descriptionRule }),
    status: t.field({ type: ItemStatusEnum, required: false }),
    priority: t.field({ type: PriorityEnum, required: false }),
    dueDate: t.field({ type: "Date", required: false }),
  }),
});

const AssignItemInput = builder.inputType("AssignItemInput", {
  fields: (t) => ({
    id: t.id({ required: true, validate: idRule }),
    version: t.int({ required: true, validate: versionRule }),
    assigneeId: t.id({ required: false, description: "A member of the organization; null unassigns.", validate: idRule.nullish() }),
  }),
});

builder.mutationFields((t) => ({
  createItem: t.prismaField({
    type: "Item",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: CreateItemInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const org = requireOrg(ctx);
      const project = await ctx.db.project.findFirst({ where: { id: input.projectId, orgId: org.id, deletedAt: null }, select: { id: true } });
      if (!project) throw appError("NOT_FOUND", "project not found", { field: "projectId" });
      await requireAssignable(ctx, org.id, input.assigneeId);
      return ctx.db.item.create({
        ...query,
        data: {
          orgId: org.id,
          projectId: project.id,
          kind: input.kind ?? "ACTION",
          title: input.title,
          description: input.description ?? "",
          status: input.status ?? "OPEN",
          priority: input.priority ?? "MEDIUM",
          assigneeId: input.assigneeId ?? null,
          dueDate: input.dueDate ?? null,
          createdById: ctx.user!.id,
        },
      });
    },
  }),
  updateItem: t.prismaField({
    type: "Item",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: UpdateItemInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const orgId = requireOrg(ctx).id;
      const { id, version, kind, title, description, status, priority, dueDate } = input;
      await changeItem(ctx.db, orgId, id, version, {
        kind: kind ?? undefined,
        title: title ?? undefined,
        description: description ?? undefined,
        status: status ?? undefined,
        priority: priority ?? undefined,
        dueDate, // undefined keeps, null clears
      });
      return ctx.db.item.findFirstOrThrow({ ...query, where: { id, orgId } });
    },
  }),
  deleteItem: t.prismaField({
    type: "Item",
    description: "Soft delete: hidden from reads (admins see it with includeDeleted) until restored.",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: VersionedIdInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const orgId = requireOrg(ctx).id;
      await changeItem(ctx.db, orgId, input.id, input.version, { deletedAt: new Date() });
      return ctx.db.item.findFirstOrThrow({ ...query, where: { id: input.id, orgId } });
    },
  }),
  restoreItem: t.prismaField({
    type: "Item",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: VersionedIdInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const orgId = requireOrg(ctx).id;
      await changeItem(ctx.db, orgId, input.id, input.version, { deletedAt: null }, true);
      return ctx.db.item.findFirstOrThrow({ ...query, where: { id: input.id, orgId } });
    },
  }),
  assignItem: t.prismaField({
    type: "Item",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: AssignItemInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const orgId = requireOrg(ctx).id;
      await requireAssignable(ctx, orgId, input.assigneeId);
      await changeItem(ctx.db, orgId, input.id, input.version, { assigneeId: input.assigneeId ?? null });
      return ctx.db.item.findFirstOrThrow({ ...query, where: { id: input.id, orgId } });
    },
  }),
}));
