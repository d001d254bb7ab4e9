// What every write to an existing item shares: the versioned UPDATE (see versioned-write.ts),
// scoped to the organization and to items whose project is live, and the assignee check.
import type { Prisma } from "../data/generated/tenant/client.ts";
import type { TenantDb } from "../data/tenant-client.ts";
import { badUserInput } from "../errors.ts";
import type { RequestContext } from "./context.ts";
import { writeVersioned } from "./versioned-write.ts";

/** ctx.db, or the transaction client of a write that does more than one statement. */
export type ItemWriter = Pick<TenantDb, "item">;

/**
 * A versioned write to a live item (or, to restore, a deleted one) of a live project of the
 * organization. An item under a deleted project cannot be changed: it is not found.
 */
export function changeItem(db: ItemWriter, orgId: string, id: string, version: number, data: Prisma.ItemUpdateManyMutationInput, deleted = false) {
  return writeVersioned({
    what: "item",
    expected: version,
    expectHidden: deleted,
    write: () =>
      db.item.updateMany({
        where: { id, orgId, version, deletedAt: deleted ? { not: null } : null, project: { deletedAt: null } },
        data: { ...data, version: { increment: 1 } },
      }),
    current: async () => {
      const row = await db.item.findFirst({
        where: { id, orgId, project: { deletedAt: null } },
        select: { version: true, deletedAt: true },
      });
      return row && { version: row.version, hidden: row.deletedAt !== null };
    },
  });
}

/** Items are assigned to members of the organization only (checked in the central database). */
export async function requireAssignable(ctx: RequestContext, orgId: string, userId: string | null | undefined): Promise<void> {
  if (!userId) return;
  const members = await ctx.accounts.members.membersAmong(orgId, [userId]);
  if (!members.has(userId)) throw badUserInput("assigneeId", "is not a member of this organization");
}
