// Item dependencies form a directed graph per organization ("item depends on dependsOn") that
// must stay acyclic. Setting an item's dependencies holds a transaction-scoped advisory lock
// on the organization's graph, so two concurrent changes (A -> B and B -> A) cannot each pass
// the check without seeing the other; the check follows every edge, deleted items included,
// so restoring an item can never close a cycle.
//
// The walk goes through Prisma, one query per level of the graph, rather than one recursive
// SQL query: raw SQL would name the table without the organization's schema (SCHEMA tier).
import type { TenantDb } from "../data/tenant-client.ts";

type GraphClient = Pick<TenantDb, "$executeRaw" | "itemDependency">;

/** Serializes dependency changes within one organization until the transaction ends. */
export async function lockDependencyGraph(tx: GraphClient, orgId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`item-dependencies:${orgId}`}))`;
}

/** Whether `target` can be reached from any of `from` by following dependsOn edges. */
export async function reaches(
  tx: GraphClient,
  orgId: string,
  from: readonly string[],
  target: string,
): Promise<boolean> {
  const wanted = target.toLowerCase();
  const visited = new Set(from.map((id) => id.toLowerCase()));
  let frontier = [...visited];
  while (frontier.length > 0) {
    if (frontier.includes(wanted)) return true;
    const edges = await tx.itemDependency.findMany({
      where: { orgId, itemId: { in: frontier } },
      select: { dependsOnId: true },
    });
    frontier = [...new Set(edges.map((e) => e.dependsOnId))].filter((id) => !visited.has(id));
    for (const id of frontier) visited.add(id);
  }
  return false;
}
