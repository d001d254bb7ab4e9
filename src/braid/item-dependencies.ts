// Replacing the items an item depends on. Dependencies are live items of the same
// organization (any project) and never form a cycle (item-dependency-graph.ts). The whole
// change is one transaction: version check, graph check, the new edges and their audit record.
import { badUserInput } from "../errors.ts";
import { lockDependencyGraph, reaches } from "./item-dependency-graph.ts";
import { type ItemSelection, LIVE_ITEM, readItem } from "./items.ts";
import type { OrgScope } from "./org-scope.ts";
import type { VersionedId } from "./projects.ts";
import { appendAudit } from "./audit-log.ts";
import { changeVersioned } from "./versioned-write.ts";

export async function setItemDependencies(
  scope: OrgScope,
  query: ItemSelection,
  input: VersionedId & { dependsOnIds: readonly string[] },
) {
  const { orgId } = scope;
  const dependsOnIds = [...new Set(input.dependsOnIds.map((id) => id.toLowerCase()))];
  await scope.db.$transaction(async (tx) => {
    await lockDependencyGraph(tx, orgId);
    await changeVersioned({ db: tx, orgId, what: "item", id: input.id, version: input.version, data: {} });
    if (dependsOnIds.length > 0) {
      const found = await tx.item.count({ where: { id: { in: dependsOnIds }, orgId, ...LIVE_ITEM } });
      if (found !== dependsOnIds.length)
        throw badUserInput("dependsOnIds", "must all be live items of this organization");
      if (await reaches(tx, orgId, dependsOnIds, input.id))
        throw badUserInput("dependsOnIds", "would create a dependency cycle");
    }
    const before = await tx.itemDependency.findMany({
      where: { orgId, itemId: input.id },
      select: { dependsOnId: true },
      orderBy: { dependsOnId: "asc" },
    });
    await tx.itemDependency.deleteMany({ where: { orgId, itemId: input.id } });
    await tx.itemDependency.createMany({
      data: dependsOnIds.map((dependsOnId) => ({ orgId, itemId: input.id, dependsOnId })),
    });
    // Recorded in the same transaction: the new edges and their record commit together.
    await appendAudit(tx, scope, {
      action: "item.dependencies_set",
      targetType: "item",
      targetId: input.id,
      changes: [{ field: "dependsOnIds", old: before.map((e) => e.dependsOnId), new: [...dependsOnIds].sort() }],
      versionBefore: input.version,
      versionAfter: input.version + 1,
    });
  });
  return readItem(scope, query, input.id);
}
