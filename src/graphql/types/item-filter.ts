// How item lists are narrowed. The service layer adds the organization to every list
// (src/braid/items.ts); this only turns the client's filter into conditions.
import type { Prisma } from "../../data/generated/tenant/client.ts";
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
    search: t.string({
      required: false,
      description: "Part of the title or description, any case.",
      validate: searchRule,
    }),
  }),
});

/**
 * Without `includeDeleted` an item is listed only while it and its project are live; under a
 * project's own connection (`withinProject`) the project is already chosen.
 */
export function itemWhere(
  filter: typeof ItemFilter.$inferInput | null | undefined,
  includeDeleted: boolean,
  withinProject = false,
): Prisma.ItemWhereInput {
  const search = filter?.search?.trim();
  return {
    ...(includeDeleted ? {} : { deletedAt: null }),
    ...(includeDeleted || withinProject ? {} : { project: { deletedAt: null } }),
    ...(filter?.kind?.length ? { kind: { in: [...filter.kind] } } : {}),
    ...(filter?.status?.length ? { status: { in: [...filter.status] } } : {}),
    ...(filter?.priority?.length ? { priority: { in: [...filter.priority] } } : {}),
    ...(filter?.assigneeId ? { assigneeId: filter.assigneeId } : filter?.unassigned ? { assigneeId: null } : {}),
    ...(search ? { OR: [{ title: containsText(search) }, { description: containsText(search) }] } : {}),
  };
}
