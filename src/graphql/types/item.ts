// Item: one entry of a project's BRAID log. Reads: itemsConnection (across the organization's
// projects, filters, cursors), Project.itemsConnection and item(id). An item is visible while
// it and its project are not deleted.
import { countItems, findItem, LIVE_ITEM, pageItems } from "../../braid/items.ts";
import { orgScope, readScopes } from "../access.ts";
import { builder } from "../builder.ts";
import { idRule } from "../input-rules.ts";
import { ItemKindEnum, ItemStatusEnum, PriorityEnum } from "./braid-enums.ts";
import { ItemFilter, itemWhere } from "./item-filter.ts";
import { UserRef } from "./user.ts";

// Select mode, as Project: only the columns the operation asks for.
export const ItemRef = builder.prismaObject("Item", {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.expose("kind", { type: ItemKindEnum }),
    title: t.exposeString("title"),
    description: t.exposeString("description"),
    status: t.expose("status", { type: ItemStatusEnum }),
    priority: t.expose("priority", { type: PriorityEnum }),
    dueDate: t.expose("dueDate", { type: "Date", nullable: true }),
    version: t.exposeInt("version", { description: "Send it back with every change (optimistic concurrency)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    deletedAt: t.expose("deletedAt", {
      type: "DateTime",
      nullable: true,
      description: "Set while the item is deleted.",
    }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      description: "Null when the user no longer exists.",
      select: { createdById: true },
      resolve: (item, _args, ctx) => ctx.loaders.userById.load(item.createdById),
    }),
    assignee: t.field({
      type: UserRef,
      nullable: true,
      select: { assigneeId: true },
      resolve: (item, _args, ctx) => (item.assigneeId ? ctx.loaders.userById.load(item.assigneeId) : null),
    }),
    project: t.relation("project"),
  }),
});

// The dependency graph, both ways; added after Item exists because the fields return Items.
builder.prismaObjectFields("Item", (t) => ({
  dependsOn: t.field({
    type: [ItemRef],
    description: "Live items this one depends on (setItemDependencies).",
    select: (_args, _ctx, nestedSelection) => ({
      dependsOn: {
        where: { dependsOn: LIVE_ITEM },
        orderBy: { dependsOnId: "asc" },
        select: { dependsOn: nestedSelection(true) },
      },
    }),
    resolve: (item) => item.dependsOn.map((edge) => edge.dependsOn),
  }),
  dependents: t.field({
    type: [ItemRef],
    description: "Live items that depend on this one.",
    select: (_args, _ctx, nestedSelection) => ({
      dependents: { where: { item: LIVE_ITEM }, orderBy: { itemId: "asc" }, select: { item: nestedSelection(true) } },
    }),
    resolve: (item) => item.dependents.map((edge) => edge.item),
  }),
}));

builder.queryFields((t) => ({
  item: t.withAuth({ role: "VIEWER" }).prismaField({
    type: "Item",
    nullable: true,
    description: "A live item; null for an id that is not one of the organization's items.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => findItem(orgScope(ctx), query, id),
  }),
  itemsConnection: t.withAuth(readScopes).prismaConnection(
    {
      type: "Item",
      description: "The organization's items (optionally one project's), oldest first; `first` is capped at 100.",
      cursor: "id",
      args: {
        projectId: t.arg.id({ required: false, validate: idRule.nullish() }),
        filter: t.arg({ type: ItemFilter, required: false }),
        includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: "Admins only." }),
      },
      resolve: (query, _root, args, ctx) => pageItems(orgScope(ctx), query, itemsWhere(args)),
      totalCount: (_connection, args, ctx) => countItems(orgScope(ctx), itemsWhere(args)),
    },
    { name: "ItemConnection" },
    { name: "ItemEdge" },
  ),
}));

function itemsWhere(args: {
  projectId?: string | null;
  filter?: typeof ItemFilter.$inferInput | null;
  includeDeleted?: boolean | null;
}) {
  return {
    ...itemWhere(args.filter, args.includeDeleted ?? false),
    ...(args.projectId ? { projectId: args.projectId } : {}),
  };
}
