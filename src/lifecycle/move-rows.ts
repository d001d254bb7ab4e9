// The rows of a move: the bulk copy (keyset batches, resumable from the last key copied),
// applying captured changes (each changed row is read again from the source and upserted on,
// or deleted from, the target: idempotent, so a crash anywhere only repeats work), and the
// verification (row count and an order-independent checksum per table on both sides).
import type pg from "pg";
import type { Placement } from "../data/placement.ts";
import { resolvePlacement } from "../data/placement.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { inTransaction, withPgClient } from "../data/server-admin.ts";
import { forgetChanges, primaryKeyOf, readChanges } from "./move-capture.ts";

const COPY_BATCH = 5000;
const APPLY_BATCH = 5000;

/** An administrative session on a placement, scoped to the organization like withOrgData's, with fixed text formats. */
export function withPlacementSession<T>(
  placement: Placement,
  servers: Record<string, string>,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  const datasource = resolvePlacement(placement, servers);
  return withPgClient(datasource.url, async (client) => {
    if (datasource.schema) await client.query(`SET search_path TO ${quoteIdentifier(datasource.schema)}`);
    await client.query("SELECT set_config('app.org_id', $1, false)", [placement.id]);
    // Checksums hash rows as text: both sides must print values the same way.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3");
    return work(client);
  });
}

export interface TableCopy {
  /** Rows copied so far and the last key copied (JSON), as recorded in org_moves.progress. */
  rows: number;
  after: unknown[] | null;
  done: boolean;
}

export interface MoveSides {
  orgId: string;
  source: pg.ClientBase;
  target: pg.ClientBase;
  /** Organization tables, parents first. */
  tables: string[];
}

const keyList = (keys: string[]) => keys.map(quoteIdentifier).join(", ");

/**
 * Copies one table's rows of the organization in key order from `progress.after` on, calling
 * `onBatch` after each batch (the caller records progress). Rows already on the target are
 * kept (the change log brings them up to date). A row whose parent is not on the target yet
 * (created during the copy, after its table was copied) makes the captured changes apply first.
 */
export async function copyTable(
  sides: MoveSides,
  table: string,
  progress: TableCopy,
  onBatch: (progress: TableCopy) => Promise<void>,
): Promise<TableCopy> {
  const keys = await primaryKeyOf(sides.source, table);
  const t = quoteIdentifier(table);
  let { rows, after } = progress;
  for (;;) {
    const params: unknown[] = [sides.orgId, COPY_BATCH];
    const from = after ? `AND (${keyList(keys)}) > (${keys.map((_, i) => `$${i + 3}`).join(", ")})` : "";
    if (after) params.push(...after);
    const batch = await sides.source.query<{ rows: string | null }>(
      `SELECT json_agg(b)::text AS rows FROM (SELECT * FROM ${t} WHERE org_id = $1 ${from} ORDER BY ${keyList(keys)} LIMIT $2) b`,
      params,
    );
    const text = batch.rows[0]?.rows;
    if (!text) break;
    const insert = `INSERT INTO ${t} SELECT * FROM json_populate_recordset(null::${t}, $1::json) ON CONFLICT DO NOTHING`;
    try {
      await sides.target.query(insert, [text]);
    } catch (error) {
      if ((error as { code?: string }).code !== "23503") throw error;
      await applyChanges(sides);
      await sides.target.query(insert, [text]);
    }
    const parsed = JSON.parse(text) as Array<Record<string, unknown>>;
    rows += parsed.length;
    after = keys.map((k) => parsed.at(-1)![k]);
    await onBatch({ rows, after, done: false });
    if (parsed.length < COPY_BATCH) break;
  }
  return { rows, after, done: true };
}

/**
 * Applies captured changes until fewer than `stopBelow` were left in a round (1: none);
 * returns how many were applied. During the switch writes are paused, so this drains the log.
 */
export async function applyChanges(
  sides: MoveSides,
  stopBelow = 1,
  touched?: Map<string, Array<Record<string, unknown>>>,
): Promise<number> {
  let applied = 0;
  for (;;) {
    const changes = await readChanges(sides.source, sides.orgId, APPLY_BATCH);
    if (changes.length === 0) return applied;
    const byTable = new Map<string, Array<Record<string, unknown>>>();
    for (const change of changes) {
      byTable.set(change.table, [...(byTable.get(change.table) ?? []), change.key]);
      touched?.set(change.table, [...(touched.get(change.table) ?? []), change.key]);
    }
    const changed = sides.tables.filter((t) => byTable.has(t));
    const current = new Map<string, { keys: string[]; keysJson: string; rowsJson: string }>();
    // The changed rows as the source has them now: upserted parents first...
    for (const table of changed) {
      const keys = await primaryKeyOf(sides.source, table);
      const keysJson = JSON.stringify(byTable.get(table));
      const t = quoteIdentifier(table);
      const r = await sides.source.query<{ rows: string }>(
        `SELECT coalesce(json_agg(t ORDER BY ${keys.map((k) => `t.${quoteIdentifier(k)}`).join(", ")}), '[]')::text AS rows FROM ${t} t
          WHERE t.org_id = $1 AND EXISTS (SELECT 1 FROM json_populate_recordset(null::${t}, $2::json) k WHERE ${joinOn(keys, "t", "k")})`,
        [sides.orgId, keysJson],
      );
      const rowsJson = r.rows[0]!.rows;
      await upsertRows(sides.target, table, keys, rowsJson);
      current.set(table, { keys, keysJson, rowsJson });
    }
    // ...and the ones the source no longer has deleted, children first.
    for (const table of [...changed].reverse()) {
      const { keys, keysJson, rowsJson } = current.get(table)!;
      const t = quoteIdentifier(table);
      await sides.target.query(
        `DELETE FROM ${t} t USING json_populate_recordset(null::${t}, $2::json) k
          WHERE ${joinOn(keys, "t", "k")} AND t.org_id = $1
            AND NOT EXISTS (SELECT 1 FROM json_populate_recordset(null::${t}, $3::json) s WHERE ${joinOn(keys, "t", "s")})`,
        [sides.orgId, keysJson, rowsJson],
      );
    }
    await forgetChanges(
      sides.source,
      sides.orgId,
      changes.map((c) => c.seq),
    );
    applied += changes.length;
    if (changes.length < stopBelow) return applied;
  }
}

export function joinOn(keys: string[], left: string, right: string): string {
  return keys.map((k) => `${left}.${quoteIdentifier(k)} = ${right}.${quoteIdentifier(k)}`).join(" AND ");
}

/** Inserts or overwrites rows (every column) on the target. */
async function upsertRows(target: pg.ClientBase, table: string, keys: string[], rowsJson: string): Promise<void> {
  const columns = await target.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoteIdentifier(table)],
  );
  const others = columns.rows.map((c) => c.name).filter((c) => !keys.includes(c));
  const t = quoteIdentifier(table);
  const set = others.map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`).join(", ");
  const upsert = (json: string) =>
    target.query(
      `INSERT INTO ${t} SELECT * FROM json_populate_recordset(null::${t}, $1::json)
       ON CONFLICT (${keyList(keys)}) DO ${set ? `UPDATE SET ${set}` : "NOTHING"}`,
      [json],
    );
  try {
    await upsert(rowsJson);
  } catch (error) {
    if ((error as { code?: string }).code !== "23505") throw error;
    // Another unique index (a project's live name) conflicts inside the batch: one row at a
    // time, each conflicting row again after the others (a renamed row frees its old name).
    await inTransaction(target, async () => {
      let pending = JSON.parse(rowsJson) as unknown[];
      while (pending.length > 0) {
        const failed: unknown[] = [];
        for (const row of pending) {
          await target.query("SAVEPOINT move_row");
          try {
            await upsert(JSON.stringify([row]));
            await target.query("RELEASE SAVEPOINT move_row");
          } catch (rowError) {
            await target.query("ROLLBACK TO SAVEPOINT move_row");
            if ((rowError as { code?: string }).code !== "23505") throw rowError;
            failed.push(row);
          }
        }
        // No row got in: a cycle (names swapped); the next run of the move tries again.
        if (failed.length === pending.length) throw error;
        pending = failed;
      }
    });
  }
}

export interface TableSum {
  rows: number;
  checksum: string;
}

/** Row count and checksum (sum of each row's md5 as text, so order does not matter) of the organization's rows. */
export async function tableSums(
  client: pg.ClientBase,
  orgId: string,
  tables: string[],
): Promise<Record<string, TableSum>> {
  const sums: Record<string, TableSum> = {};
  for (const table of tables) {
    const r = await client.query<{ rows: string; checksum: string }>(
      `SELECT count(*) AS rows, coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text AS checksum
         FROM ${quoteIdentifier(table)} t WHERE org_id = $1`,
      [orgId],
    );
    sums[table] = { rows: Number(r.rows[0]!.rows), checksum: r.rows[0]!.checksum };
  }
  return sums;
}
