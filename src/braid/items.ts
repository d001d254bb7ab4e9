// Items of one organization: pages and single reads, and the writes members make (create,
// update, delete, restore, assign). An item is live while it and its project are not deleted;
// every write to an existing item carries the version the client read (versioned-write.ts).
import type { Prisma } from "../data/generated/tenant/client.ts";
import type { ItemKind, ItemStatus, Priority } from "../data/generated/tenant/enums.ts";
import { appError, badUserInput } from "../errors.ts";
import { isUuid } from "../ids.ts";
import { changedFields } from "./audit-log.ts";
import { auditedChange, auditedWrite } from "./audited-write.ts";
import type { OrgScope, Selection } from "./org-scope.ts";
import type { VersionedId } from "./projects.ts";

export type ItemSelection = Selection<Prisma.ItemSelect, Prisma.ItemInclude>;

/** Oldest first, then by id: a total order, so cursors stay valid while items are added. */
export const ITEM_ORDER = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.ItemOrderByWithRelationInput[];

/** An item and its project are both not deleted. */
export const LIVE_ITEM = { deletedAt: null, project: { deletedAt: null } } as const;

export interface ItemChanges {
  kind?: ItemKind | null;
  title?: string | null;
  description?: string | null;
  status?: ItemStatus | null;
  priority?: Priority | null;
  /** undefined keeps the date, null clears it. */
  dueDate?: Date | null;
}

export function pageItems(scope: OrgScope, query: ItemSelection, where: Prisma.ItemWhereInput) {
  return scope.db.item.findMany({ ...query, where: { ...where, orgId: scope.orgId }, orderBy: ITEM_ORDER });
}

export function countItems(scope: OrgScope, where: Prisma.ItemWhereInput) {
  return scope.db.item.count({ where: { ...where, orgId: scope.orgId } });
}

/** A live item, or null for an id that is not one of the organization's items. */
export async function findItem(scope: OrgScope, query: ItemSelection, id: string) {
  // The selection is read first: the GraphQL layer checks that every resolver used its own.
  const args = { ...query, where: { id, orgId: scope.orgId, ...LIVE_ITEM } };
  if (!isUuid(id)) return null;
  return scope.db.item.findFirst(args);
}

export async function createItem(
  scope: OrgScope,
  query: ItemSelection,
  input: { projectId: string; title: string; assigneeId?: string | null } & ItemChanges,
) {
  const project = await scope.db.project.findFirst({
    where: { id: input.projectId, orgId: scope.orgId, deletedAt: null },
    select: { id: true },
  });
  if (!project) throw appError("NOT_FOUND", "project not found", { field: "projectId" });
  await requireAssignable(scope, input.assigneeId);
  const fields = {
    projectId: project.id,
    kind: input.kind ?? "ACTION",
    title: input.title,
    description: input.description ?? "",
    status: input.status ?? "OPEN",
    priority: input.priority ?? "MEDIUM",
    assigneeId: input.assigneeId ?? null,
    dueDate: input.dueDate ?? null,
  } as const;
  return auditedWrite(scope, async (tx) => {
    const item = await tx.item.create({
      ...query,
      data: { ...fields, orgId: scope.orgId, createdById: scope.actorId },
    });
    return {
      result: item,
      audit: {
        action: "item.created",
        targetType: "item",
        targetId: item.id,
        changes: changedFields(null, fields),
        versionAfter: 1,
      },
    };
  });
}

export function updateItem(scope: OrgScope, query: ItemSelection, input: VersionedId & ItemChanges) {
  const { kind, title, description, status, priority, dueDate } = input;
  return changeItem(scope, query, "item.updated", input, {
    kind: kind ?? undefined,
    title: title ?? undefined,
    description: description ?? undefined,
    status: status ?? undefined,
    priority: priority ?? undefined,
    dueDate,
  });
}

/** Soft delete: hidden from reads (admins see it with includeDeleted) until restored. */
export function deleteItem(scope: OrgScope, query: ItemSelection, input: VersionedId) {
  return changeItem(scope, query, "item.deleted", input, { deletedAt: new Date() });
}

export function restoreItem(scope: OrgScope, query: ItemSelection, input: VersionedId) {
  return changeItem(scope, query, "item.restored", input, { deletedAt: null }, true);
}

export async function assignItem(
  scope: OrgScope,
  query: ItemSelection,
  input: VersionedId & { assigneeId?: string | null },
) {
  await requireAssignable(scope, input.assigneeId);
  return changeItem(scope, query, "item.assigned", input, { assigneeId: input.assigneeId ?? null });
}

/** The versioned write and its audit record, then the item as it is now (with the caller's selection). */
async function changeItem(
  scope: OrgScope,
  query: ItemSelection,
  action: string,
  { id, version }: VersionedId,
  data: Prisma.ItemUpdateManyMutationInput,
  restore = false,
) {
  await auditedChange(scope, action, { what: "item", id, version, data, restore });
  return readItem(scope, query, id);
}

export function readItem(scope: OrgScope, query: ItemSelection, id: string) {
  return scope.db.item.findFirstOrThrow({ ...query, where: { id, orgId: scope.orgId } });
}

/** Items are assigned to members of the organization only. */
async function requireAssignable(scope: OrgScope, userId: string | null | undefined): Promise<void> {
  if (userId && !(await scope.isMember(userId)))
    throw badUserInput("assigneeId", "is not a member of this organization");
}
