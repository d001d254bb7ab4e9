// Change capture and the write fence of a move, inside the source database: a trigger on
// every organization table records the key of each row the moving organization writes in
// tenantgraph_move.changes (same transaction as the write, so a change and its record commit
// or roll back together), and refuses the write once the organization has moved away.
//
// Writes wait during the switch: the trigger takes the organization's advisory lock in shared
// mode; the switch holds it exclusively (session-level) while it applies the last changes,
// verifies, fences and updates the central placement. A waiting write then reads the fence,
// fails with SQLSTATE TGMV1, and the request path retries it on the new placement.
//
// Why triggers and not logical replication: moves go between tiers (a database, a schema, rows
// of a shared database) and servers; a trigger limited to one organization's rows works the
// same in all of them, needs no wal_level=logical or replication slots, and nothing persists
// outside the source once the move is cleaned up.
import type pg from "pg";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { APPEND_ONLY_TABLES } from "./org-data.ts";

/** The schema (in the source database) holding the change log, the fence and the trigger function. */
const SCHEMA = "tenantgraph_move";
/** SQLSTATE of a write refused because the organization moved (data/database-errors.ts knows it too). */
export const MOVED_AWAY_SQLSTATE = "TGMV1";
const TRIGGER = "tenantgraph_move_capture";

const SETUP = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
REVOKE ALL ON SCHEMA ${SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS ${SCHEMA}.moving_orgs (org_id uuid PRIMARY KEY, fenced boolean NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.changes (
  seq bigserial PRIMARY KEY, org_id uuid NOT NULL, table_name text NOT NULL, key jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS changes_org_seq ON ${SCHEMA}.changes (org_id, seq);
CREATE OR REPLACE FUNCTION ${SCHEMA}.capture() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  data jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
  org uuid := (data->>'org_id')::uuid;
  key jsonb := '{}';
  col text;
BEGIN
  -- Organizations that are not moving pay one index lookup.
  PERFORM 1 FROM ${SCHEMA}.moving_orgs WHERE org_id = org;
  IF FOUND THEN
    -- Waits while a switch holds the lock; the fence is read after the wait (a new snapshot).
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('tenantgraph move ' || org::text, 0));
    IF (SELECT fenced FROM ${SCHEMA}.moving_orgs WHERE org_id = org) THEN
      RAISE EXCEPTION 'organization % has moved to another placement', org USING ERRCODE = '${MOVED_AWAY_SQLSTATE}';
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP key := key || jsonb_build_object(col, data->col); END LOOP;
    INSERT INTO ${SCHEMA}.changes (org_id, table_name, key) VALUES (org, TG_TABLE_NAME, key);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $fn$;
REVOKE ALL ON FUNCTION ${SCHEMA}.capture() FROM PUBLIC;
`;

/** The key columns of a table, in order (search_path on the organization's schema). */
export async function primaryKeyOf(client: pg.ClientBase, table: string): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n`,
    [quoteIdentifier(table)],
  );
  if (r.rows.length === 0) throw new Error(`table ${table} has no primary key: it cannot be moved`);
  return r.rows.map((row) => row.name);
}

/**
 * Starts capturing the organization's changes (idempotent). Everything happens in one
 * transaction that also locks the tables against writes for an instant: writes that started
 * before it (and so were not captured) have committed before the copy begins.
 */
export async function startCapture(client: pg.ClientBase, orgId: string, tables: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCaptureOnce(client, orgId, tables);
    } catch (error) {
      // LOCK TABLE takes the tables one by one: a write holding one of them (an audited write
      // touches its table and audit_events) and waiting for another deadlocks with it. One of
      // the two gives way; when it is this transaction, it tries again (nothing was kept).
      if ((error as { code?: string }).code !== "40P01" || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * The tables in the order a write takes them: an audited write changes its table, then appends
 * its record to the audit log, so the append-only tables come last. Locking audit_events first
 * (orgTables puts it among the parents) deadlocked with every audited write in flight.
 */
function lockOrder(tables: string[]): string[] {
  return [...tables.filter((t) => !APPEND_ONLY_TABLES.has(t)), ...tables.filter((t) => APPEND_ONLY_TABLES.has(t))];
}

async function startCaptureOnce(client: pg.ClientBase, orgId: string, tables: string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    await detectDeadlocksFirst(client);
    // Two moves from one host database must not create the schema and function at once.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tenantgraph move setup'))");
    await client.query(SETUP);
    await client.query(`LOCK TABLE ${lockOrder(tables).map(quoteIdentifier).join(", ")} IN SHARE ROW EXCLUSIVE MODE`);
    for (const table of tables) {
      const keys = (await primaryKeyOf(client, table)).map((k) => client.escapeLiteral(k)).join(", ");
      // An existing trigger (another organization of a SHARED database is moving) stays: dropping
      // it would need an ACCESS EXCLUSIVE lock, which deadlocks with readers of several tables.
      const existing = await client.query("SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = to_regclass($2)", [
        TRIGGER,
        quoteIdentifier(table),
      ]);
      if (existing.rowCount === 1) continue;
      await client.query(
        `CREATE TRIGGER ${TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON ${quoteIdentifier(table)}
           FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.capture(${keys})`,
      );
    }
    await client.query(`INSERT INTO ${SCHEMA}.moving_orgs (org_id) VALUES ($1) ON CONFLICT DO NOTHING`, [orgId]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Stops capturing for the organization and forgets its change log and fence. Triggers on its
 * own tables go; on tables it shares (`shared`: the SHARED tier) only when no other
 * organization of this database is moving; the schema when no trigger uses it. Idempotent.
 */
export async function stopCapture(
  client: pg.ClientBase,
  orgId: string,
  tables: string[],
  shared: boolean,
): Promise<void> {
  if (!(await captureInstalled(client))) return;
  for (let attempt = 1; ; attempt++) {
    try {
      return await stopCaptureOnce(client, orgId, tables, shared);
    } catch (error) {
      // Dropping triggers needs ACCESS EXCLUSIVE locks: against a reader of several tables this
      // transaction gives way (it detects the deadlock first) and tries again.
      if ((error as { code?: string }).code !== "40P01" || attempt === 5) throw error;
    }
  }
}

async function stopCaptureOnce(client: pg.ClientBase, orgId: string, tables: string[], shared: boolean) {
  await client.query("BEGIN");
  try {
    await detectDeadlocksFirst(client);
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tenantgraph move setup'))");
    await client.query(`DELETE FROM ${SCHEMA}.moving_orgs WHERE org_id = $1`, [orgId]);
    await client.query(`DELETE FROM ${SCHEMA}.changes WHERE org_id = $1`, [orgId]);
    const others = await client.query(`SELECT 1 FROM ${SCHEMA}.moving_orgs LIMIT 1`);
    if (!shared || others.rowCount === 0) {
      for (const table of tables) await client.query(`DROP TRIGGER IF EXISTS ${TRIGGER} ON ${quoteIdentifier(table)}`);
    }
    // Other schemas of a host database may still have triggers on the function: keep it then.
    const used = await client.query(
      `SELECT 1 FROM pg_trigger WHERE tgfoid = '${SCHEMA}.capture()'::regprocedure LIMIT 1`,
    );
    if (used.rowCount === 0 && others.rowCount === 0) await client.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function captureInstalled(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [SCHEMA]);
  return r.rowCount === 1;
}

export interface CapturedChange {
  seq: string;
  table: string;
  key: Record<string, unknown>;
}

/** The oldest captured changes of the organization (at most `limit`). */
export async function readChanges(client: pg.ClientBase, orgId: string, limit: number): Promise<CapturedChange[]> {
  const r = await client.query<{ seq: string; table_name: string; key: Record<string, unknown> }>(
    `SELECT seq, table_name, key FROM ${SCHEMA}.changes WHERE org_id = $1 ORDER BY seq LIMIT $2`,
    [orgId, limit],
  );
  return r.rows.map((row) => ({ seq: row.seq, table: row.table_name, key: row.key }));
}

/** Forgets changes that were applied (by number: ones recorded meanwhile stay). */
export async function forgetChanges(client: pg.ClientBase, orgId: string, seqs: string[]): Promise<void> {
  await client.query(`DELETE FROM ${SCHEMA}.changes WHERE org_id = $1 AND seq = ANY($2::bigint[])`, [orgId, seqs]);
}

/**
 * Takes the organization's write lock for this session: writes wait until resumeWrites. It
 * waits for writing transactions in flight (new writes queue behind it), at most 5 s: a
 * transaction left open must not hold every write of the organization up; the switch then
 * fails and running the move again retries it.
 */
export async function pauseWrites(client: pg.ClientBase, orgId: string): Promise<void> {
  await client.query("SET lock_timeout = '5s'");
  try {
    await client.query("SELECT pg_advisory_lock(hashtextextended('tenantgraph move ' || $1, 0))", [orgId]);
  } finally {
    await client.query("RESET lock_timeout");
  }
}

export async function resumeWrites(client: pg.ClientBase, orgId: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock(hashtextextended('tenantgraph move ' || $1, 0))", [orgId]);
}

/** From now on the source refuses the organization's writes (SQLSTATE TGMV1). */
export async function fenceSource(client: pg.ClientBase, orgId: string): Promise<void> {
  await client.query(`UPDATE ${SCHEMA}.moving_orgs SET fenced = true WHERE org_id = $1`, [orgId]);
}

export async function isFenced(client: pg.ClientBase, orgId: string): Promise<boolean> {
  if (!(await captureInstalled(client))) return false;
  const r = await client.query<{ fenced: boolean }>(`SELECT fenced FROM ${SCHEMA}.moving_orgs WHERE org_id = $1`, [
    orgId,
  ]);
  return r.rows[0]?.fenced ?? false;
}

/**
 * In a deadlock with a request's write, this transaction should be the one that gives way (it
 * retries; the request would fail): it checks for deadlocks sooner than the server's default.
 * deadlock_timeout needs a superuser: an owner's session simply keeps the server's.
 */
async function detectDeadlocksFirst(client: pg.ClientBase): Promise<void> {
  await client.query("SAVEPOINT settings");
  await client.query("SET LOCAL deadlock_timeout = '50ms'").then(
    () => client.query("RELEASE SAVEPOINT settings"),
    () => client.query("ROLLBACK TO SAVEPOINT settings"),
  );
}
