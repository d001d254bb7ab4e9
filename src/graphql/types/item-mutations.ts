// Item writes, for members and above: create, update, delete, restore and assign; the rules
// (versions, live projects, assignees who are members) live in src/braid/items.ts.
import { assignItem, createItem, deleteItem, restoreItem, updateItem } from "../../braid/items.ts";
import { orgScope } from "../access.ts";
import { builder } from "../builder.ts";
import { descriptionRule, idRule, textRule, versionRule } from "../input-rules.ts";
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
    assigneeId: t.id({
      required: false,
      description: "A member of the organization; null unassigns.",
      validate: idRule.nullish(),
    }),
  }),
});

builder.mutationFields((t) => {
  const member = t.withAuth({ role: "MEMBER" });
  return {
    createItem: member.prismaField({
      type: "Item",
      args: { input: t.arg({ type: CreateItemInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => createItem(orgScope(ctx), query, input),
    }),
    updateItem: member.prismaField({
      type: "Item",
      args: { input: t.arg({ type: UpdateItemInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => updateItem(orgScope(ctx), query, input),
    }),
    deleteItem: member.prismaField({
      type: "Item",
      description: "Soft delete: hidden from reads (admins see it with includeDeleted) until restored.",
      args: { input: t.arg({ type: VersionedIdInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => deleteItem(orgScope(ctx), query, input),
    }),
    restoreItem: member.prismaField({
      type: "Item",
      args: { input: t.arg({ type: VersionedIdInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => restoreItem(orgScope(ctx), query, input),
    }),
    assignItem: member.prismaField({
      type: "Item",
      args: { input: t.arg({ type: AssignItemInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => assignItem(orgScope(ctx), query, input),
    }),
  };
});
