// The statement timeout (ORG_STATEMENT_TIMEOUT_MS) stored on the login roles requests connect
// as: `ALTER ROLE <role> SET statement_timeout = '<n>ms'`. A direct connection also sends it
// at connect (a startup parameter), but PgBouncer in transaction mode drops startup
// parameters; the role's own setting is applied by the server at every login, whoever
// connects, so it holds through any pooler.
//
// Only login roles: PostgreSQL applies a role's settings at login, never at SET ROLE (ALTER
// ROLE: "SET ROLE and SET SESSION AUTHORIZATION do not process role-specific variable
// settings"), so for the SCHEMA tier it is the switcher's setting that counts, not the
// organization roles' it switches to.
import type pg from "pg";
import { quoteIdentifier } from "./sql-identifiers.ts";

/** The stored form of the setting (pg_db_role_setting keeps it as written); none for 0. */
function wanted(timeoutMs: number): string | null {
  return timeoutMs > 0 ? `statement_timeout=${timeoutMs}ms` : null;
}

/** Each existing role of `roles` and its statement_timeout setting for all databases (null: none). */
async function currentSettings(client: pg.ClientBase, roles: string[]): Promise<Map<string, string | null>> {
  const r = await client.query<{ role: string; setting: string | null }>(
    `SELECT r.rolname AS role,
            (SELECT v FROM unnest(s.setconfig) v WHERE v LIKE 'statement_timeout=%') AS setting
       FROM pg_roles r
       LEFT JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0
      WHERE r.rolname = ANY($1)`,
    [roles],
  );
  return new Map(r.rows.map((row) => [row.role, row.setting]));
}

/**
 * Gives each existing role of `roles` the statement timeout `timeoutMs` (0: none, the
 * server's default), altering only those whose setting differs: one query when nothing
 * changed. `undefined` leaves the roles as they are. Returns the roles altered. Outside a
 * transaction: concurrent ALTERs of one role fail ("tuple concurrently updated"), which
 * counts as done when the setting is then the wanted one.
 */
export async function applyStatementTimeout(
  client: pg.ClientBase,
  roles: string[],
  timeoutMs: number | undefined,
): Promise<string[]> {
  if (timeoutMs === undefined || roles.length === 0) return [];
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new Error(`not a statement timeout: ${timeoutMs}`);
  const setting = wanted(timeoutMs);
  const stale = [...(await currentSettings(client, roles))].filter(([, current]) => current !== setting);
  for (const [role] of stale) {
    const alter = setting
      ? `ALTER ROLE ${quoteIdentifier(role)} SET statement_timeout = '${timeoutMs}ms'`
      : `ALTER ROLE ${quoteIdentifier(role)} RESET statement_timeout`;
    try {
      await client.query(alter);
    } catch (error) {
      if ((await currentSettings(client, [role])).get(role) !== setting) throw error;
    }
  }
  return stale.map(([role]) => role);
}
