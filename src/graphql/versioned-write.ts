// Optimistic concurrency: every write to an existing project or item names the version the
// client read. The write is one conditional UPDATE (... WHERE version = $sent) that also
// increments the version, so of two writers holding the same version exactly one wins; the
// other gets CONFLICT and nothing of theirs is written.
import { appError } from "../errors.ts";

export interface VersionedState {
  version: number;
  /** Deleted, or (for an item) under a deleted project: hidden from ordinary reads and writes. */
  hidden: boolean;
}

export interface VersionedWrite {
  what: "project" | "item";
  /** The version the client sent. */
  expected: number;
  /** Whether the row must be hidden (restore) or visible (every other write). */
  expectHidden?: boolean;
  /** The conditional write; it must match on id, organization, version and visibility. */
  write(): Promise<{ count: number }>;
  /** The row's state now (organization-filtered), to explain a write that matched nothing. */
  current(): Promise<VersionedState | null>;
}

export async function writeVersioned({ what, expected, expectHidden = false, write, current }: VersionedWrite): Promise<void> {
  if ((await write()).count === 1) return;
  const row = await current();
  if (!row || row.hidden !== expectHidden) {
    throw appError("NOT_FOUND", expectHidden ? `no deleted ${what} with this id` : `${what} not found`, { field: "id" });
  }
  if (row.version !== expected) {
    throw appError("CONFLICT", `the ${what} was changed since version ${expected} (now ${row.version}); reload it and retry`, {
      field: "version",
      currentVersion: row.version,
    });
  }
  // Matched id, organization, visibility and version, yet not written: a concurrent writer won.
  throw appError("CONFLICT", `the ${what} was changed concurrently; reload it and retry`, { field: "version" });
}
