// What makes a SHARED-tier database safe: the application role, and row-level security on
// every organization table. Both steps are idempotent; provisioning and fleet migrations
// run them after migrating a shared database.
import type pg from "pg";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { ensureRole } from "../data/role-passwords.ts";
import { applyStatementTimeout } from "../data/role-settings.ts";
import { withPgClient } from "../data/server-admin.ts";
import type { AppRole } from "../data/request-roles.ts";
import { orgTables, requestPrivileges } from "./org-data.ts";
import { revokeLargeObjects } from "./org-roles.ts";

/** The policy name; one per table. */
const POLICY = "org_isolation";
/** A row belongs to the transaction's organization; no (or an empty) setting matches nothing. */
const RULE = `org_id = nullif(current_setting('app.org_id', true), '')::uuid`;

/**
 * Creates the login role requests use on SHARED databases unless it exists: not a
 * superuser, no BYPASSRLS, owns nothing, so row-level security always applies to it. The
 * password is sent as a SCRAM verifier and only when the role is created (never in
 * plain text, never again: `tenantgraph roles rotate` sets it). Its statement timeout is
 * (re)applied every time (src/data/role-settings.ts).
 */
export async function ensureAppRole(serverUrl: string, role: AppRole): Promise<void> {
  await withPgClient(serverUrl, async (c) => {
    await ensureRole(c, { name: role.name, login: true, password: role.password });
    await applyStatementTimeout(c, [role.name], role.statementTimeoutMs);
  });
}

/**
 * Row-level security, ENABLEd and FORCEd, on every table with an org_id column, with one
 * policy for reads and writes: a row is visible and writable only when its org_id equals
 * the transaction's app.org_id. No setting (or an empty one) sees and writes nothing.
 * Grants come last, so a table added by a migration is unreachable until its policy exists.
 */
export async function secureSharedDatabase(client: pg.ClientBase, role: AppRole): Promise<void> {
  const roleName = quoteIdentifier(role.name);
  for (const table_name of await orgTables(client)) {
    const table = quoteIdentifier(table_name);
    await client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await client.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await client.query(`DROP POLICY IF EXISTS ${POLICY} ON ${table}`);
    await client.query(`CREATE POLICY ${POLICY} ON ${table} USING (${RULE}) WITH CHECK (${RULE})`);
    // Append-only tables (the audit log): INSERT and SELECT only.
    await client.query(`GRANT ${requestPrivileges(table_name)} ON ${table} TO ${roleName}`);
  }
  await client.query(`GRANT USAGE ON SCHEMA public TO ${roleName}`);
  // The role reads migrations' bookkeeping nowhere and owns nothing: no other grants. It
  // may not create anything either (no CREATE or TEMP on the database, no CREATE on public).
  const database = quoteIdentifier(
    (await client.query<{ name: string }>("SELECT current_database() AS name")).rows[0]!.name,
  );
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${roleName}`);
  await client.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
  await revokeLargeObjects(client);
}

/** Tables with an org_id column and whether each has row-level security enabled and forced. */
export async function rowLevelSecurityState(
  client: pg.ClientBase,
): Promise<Array<{ table: string; enabled: boolean; forced: boolean; policies: number }>> {
  const r = await client.query<{ table: string; enabled: boolean; forced: boolean; policies: string }>(
    `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
      ORDER BY c.relname`,
  );
  return r.rows.map((row) => ({ ...row, policies: Number(row.policies) }));
}
