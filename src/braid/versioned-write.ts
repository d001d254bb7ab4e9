// Optimistic concurrency: every write to an existing project or item names the version the
// client read. The write is one conditional UPDATE (... WHERE version = $sent) that also
// increments the version, so of two writers holding the same version exactly one wins; the
// other gets CONFLICT and nothing of theirs is written. Projects and items share this one
// function; they differ only in what "live" means (an item also needs a live project).
import type { TenantDb } from "../data/tenant-client.ts";
import { appError } from "../errors.ts";

export type VersionedKind = "project" | "item";

/** The two calls a versioned write makes, common to the project and item delegates. */
interface VersionedRows {
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
  findFirst(args: {
    where: object;
    select: { version: true; deletedAt: true };
  }): Promise<{ version: number; deletedAt: Date | null } | null>;
}

const KINDS: Record<VersionedKind, { rows(db: VersionedDb): VersionedRows; live: object }> = {
  project: { rows: (db) => db.project as unknown as VersionedRows, live: {} },
  // An item under a deleted project cannot be changed: it is not found.
  item: { rows: (db) => db.item as unknown as VersionedRows, live: { project: { deletedAt: null } } },
};

/** ctx.db, or the transaction client of a write that does more than one statement. */
export type VersionedDb = Pick<TenantDb, "project" | "item">;

export interface VersionedChange {
  db: VersionedDb;
  orgId: string;
  what: VersionedKind;
  id: string;
  /** The version the client sent. */
  version: number;
  data: object;
  /** Restore: the row must be deleted (every other write needs it live). */
  restore?: boolean;
}

export async function changeVersioned({
  db,
  orgId,
  what,
  id,
  version,
  data,
  restore = false,
}: VersionedChange): Promise<void> {
  const { rows, live } = KINDS[what];
  const table = rows(db);
  const { count } = await table.updateMany({
    where: { id, orgId, version, deletedAt: restore ? { not: null } : null, ...live },
    data: { ...data, version: { increment: 1 } },
  });
  if (count === 1) return;
  const row = await table.findFirst({ where: { id, orgId, ...live }, select: { version: true, deletedAt: true } });
  if (!row || (row.deletedAt !== null) !== restore) {
    throw appError("NOT_FOUND", restore ? `no deleted ${what} with this id` : `${what} not found`, { field: "id" });
  }
  if (row.version !== version) {
    throw appError(
      "CONFLICT",
      `the ${what} was changed since version ${version} (now ${row.version}); reload it and retry`,
      {
        field: "version",
        currentVersion: row.version,
      },
    );
  }
  // Matched id, organization, visibility and version, yet not written: a concurrent writer won.
  throw appError("CONFLICT", `the ${what} was changed concurrently; reload it and retry`, { field: "version" });
}
