// How item lists are narrowed and ordered. Every list is also filtered by the request's
// organization (defense in depth: in the SHARED tier several organizations share tables).
import type { Prisma } from "../../data/generated/tenant/client.ts";
import type { ItemKind, ItemStatus, Priority } from "../../data/generated/tenant/enums.ts";
import { containsText } from "../../text-search.ts";
import { builder } from "../builder.ts";
import { idRule, searchRule } from "../input-rules.ts";
import { ItemKindEnum, ItemStatusEnum, PriorityEnum } from "./braid-enums.ts";

export const ItemFilter = builder.inputType("ItemFilter", {
  description: "Every condition given must hold; a list matches any of its values.",
  fields: (t) => ({
    kind: t.field({ type: [ItemKindEnum], required: false }),
    status: t.field({ type: [ItemStatusEnum], required: false }),
    priority: t.field({ type: [PriorityEnum], required: false }),
    assigneeId: t.id({ required: false, validate: idRule.nullish() }),
    unassigned: t.boolean({ required: false, description: "Only items nobody is assigned to." }),
    search: t.string({ required: false, description: "Part of the title or description, any case.", validate: searchRule }),
  }),
});

export interface ItemFilterValues {
  kind?: readonly ItemKind[] | null;
  status?: readonly ItemStatus[] | null;
  priority?: readonly Priority[] | null;
  assigneeId?: string | null;
  unassigned?: boolean | null;
  search?: string | null;
}

/** Oldest first, then by id: a total order, so cursors stay valid while items are added. */
export const ITEM_ORDER = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.ItemOrderByWithRelationInput[];

/**
 * Without `includeDeleted` an item is listed only while it and its project are live; under a
 * project's own connection (`withinProject`) the project is already chosen.
 */
export function itemWhere(
  orgId: string,
  filter: ItemFilterValues | null | undefined,
  includeDeleted: boolean,
  withinProject = false,
): Prisma.ItemWhereInput {
  const search = filter?.search?.trim();
  return {
    orgId,
    ...(includeDeleted ? {} : { deletedAt: null }),
    ...(includeDeleted || withinProject ? {} : { project: { deletedAt: null } }),
    ...(filter?.kind?.length ? { kind: { in: [...filter.kind] } } : {}),
    ...(filter?.status?.length ? { status: { in: [...filter.status] } } : {}),
    ...(filter?.priority?.length ? { priority: { in: [...filter.priority] } } : {}),
    ...(filter?.assigneeId ? { assigneeId: filter.assigneeId } : filter?.unassigned ? { assigneeId: null } : {}),
    ...(search ? { OR: [{ title: containsText(search) }, { description: containsText(search) }] } : {}),
  };
}
