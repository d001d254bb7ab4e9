// Verification of a move, in two stages so that writes pause only for the second:
// - before the pause, every row of every table is hashed on both sides; rows may differ only
//   where a change is still captured and not applied (the source moved on meanwhile);
// - during the pause, after the last changes are applied, the row count of every table and
//   the rows changed since the first stage (those captured then, and those applied in the
//   pause) must be equal on both sides.
// Rows the first stage found equal and nothing changed since are equal still: the source
// changes a row only with a captured change, the target only by applying one. A difference
// anywhere throws VerificationError (the move is aborted; the organization stays on its source).
import type pg from "pg";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { primaryKeyOf, readChanges } from "./move-capture.ts";
import { joinOn, type MoveSides } from "./move-rows.ts";

export class VerificationError extends Error {
  override name = "VerificationError";
}

export type KeysByTable = Map<string, Array<Record<string, unknown>>>;

/** Each row's key (as text) and a hash of the whole row, of the organization's rows (or only `keys`'). */
async function rowHashes(
  client: pg.ClientBase,
  orgId: string,
  table: string,
  keys?: Array<Record<string, unknown>>,
): Promise<Map<string, string>> {
  const columns = await primaryKeyOf(client, table);
  const t = quoteIdentifier(table);
  const key = `json_build_array(${columns.map((c) => `t.${quoteIdentifier(c)}`).join(", ")})::text`;
  const only = keys
    ? `AND EXISTS (SELECT 1 FROM json_populate_recordset(null::${t}, $2::json) k WHERE ${joinOn(columns, "t", "k")})`
    : "";
  const r = await client.query<{ k: string; h: string }>(
    `SELECT ${key} AS k, hashtextextended(t::text, 0)::text AS h FROM ${t} t WHERE t.org_id = $1 ${only}`,
    keys ? [orgId, JSON.stringify(keys)] : [orgId],
  );
  return new Map(r.rows.map((row) => [row.k, row.h]));
}

function differing(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k));
}

const keyText = (columns: string[], key: Record<string, unknown>) => JSON.stringify(columns.map((c) => key[c]));

/** Stage one (writes running): returns the keys of rows with captured changes, which stage two checks. */
export async function verifyBeforePause(sides: MoveSides): Promise<KeysByTable> {
  const pending: KeysByTable = new Map();
  for (const table of sides.tables) {
    const [source, target] = await Promise.all([
      rowHashes(sides.source, sides.orgId, table),
      rowHashes(sides.target, sides.orgId, table),
    ]);
    // Read after the hashes: every change the source hashes may include is in it.
    const changes = (await readChanges(sides.source, sides.orgId, 1_000_000)).filter((c) => c.table === table);
    const columns = await primaryKeyOf(sides.source, table);
    const captured = new Set(changes.map((c) => keyText(columns, c.key)));
    const wrong = differing(source, target).filter((k) => !captured.has(JSON.stringify(JSON.parse(k))));
    if (wrong.length > 0)
      throw new VerificationError(`verification failed: ${table} differs in ${wrong.length} rows (e.g. ${wrong[0]})`);
    pending.set(
      table,
      changes.map((c) => c.key),
    );
  }
  return pending;
}

/** Stage two (writes paused, every change applied): counts, and the rows changed since stage one. */
export async function verifyInPause(sides: MoveSides, changed: KeysByTable): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const table of sides.tables) {
    const count = `SELECT count(*)::int AS n FROM ${quoteIdentifier(table)} WHERE org_id = $1`;
    const [source, target] = await Promise.all([
      sides.source.query<{ n: number }>(count, [sides.orgId]),
      sides.target.query<{ n: number }>(count, [sides.orgId]),
    ]);
    if (source.rows[0]!.n !== target.rows[0]!.n)
      throw new VerificationError(
        `verification failed: ${table} has ${source.rows[0]!.n} rows on the source, ${target.rows[0]!.n} on the target`,
      );
    rows[table] = source.rows[0]!.n;
    const keys = changed.get(table) ?? [];
    if (keys.length === 0) continue;
    const [s, t] = await Promise.all([
      rowHashes(sides.source, sides.orgId, table, keys),
      rowHashes(sides.target, sides.orgId, table, keys),
    ]);
    const wrong = differing(s, t);
    if (wrong.length > 0)
      throw new VerificationError(`verification failed: ${table} differs in ${wrong.length} rows (e.g. ${wrong[0]})`);
  }
  return rows;
}
