// The roles requests run as, one per DATABASE- and SCHEMA-tier organization (the SHARED
// tier's application role is in shared-database.ts), and what each may touch:
//
// | tier     | requests connect as                  | and run as                    | may use                                   |
// |----------|--------------------------------------|-------------------------------|-------------------------------------------|
// | DATABASE | the organization's role org_<slug>   | the same                      | its database's organization tables (DML)  |
// | SCHEMA   | <APP_DB_ROLE>_switcher (no rights)   | org_<slug>, SET LOCAL ROLE    | its schema's organization tables (DML)    |
//
// No role owns anything or may create anything; PUBLIC loses CONNECT and TEMP on every
// organization and host database and every right on their public schema. In SCHEMA host
// databases PUBLIC also loses the ways SQL could change its own role (set_config, the
// pg_settings view, PL/pgSQL) and run SQL from text; the pool below Prisma refuses SET /
// RESET statements (src/tenancy/role-scoped-pool.ts), so a request cannot leave its role.
// Everything here is idempotent: provisioning, fleet migrations and `tenantgraph roles
// rotate` run it again.
import type pg from "pg";
import { ensureRole, setRolePassword } from "../data/role-passwords.ts";
import { applyStatementTimeout } from "../data/role-settings.ts";
import { assertSafeIdentifier, quoteIdentifier } from "../data/sql-identifiers.ts";
import type { Placement } from "../data/placement.ts";
import { orgRoleName, rolePassword, switcherRoleName } from "../data/request-roles.ts";
import type { AppRole } from "../data/request-roles.ts";
import { orgTables, requestPrivileges } from "./org-data.ts";

/** What the functions below need to know about a DATABASE- or SCHEMA-tier organization. */
export interface OrgRoleTarget {
  orgId: string;
  /** The organization's database (DATABASE) or its host database (SCHEMA). */
  database: string;
  /** Set for the SCHEMA tier. */
  schema?: string;
}

const marker = (orgId: string) => `tenantgraph organization ${orgId}`;
const SWITCHER_MARKER = "tenantgraph schema switcher";

/**
 * Creates the organization's role (and, for the SCHEMA tier, the server's switcher role and
 * its membership), and gives the login role among them the statement timeout
 * (src/data/role-settings.ts). Run on an administrative connection, outside a transaction.
 */
export async function ensureOrgRoles(client: pg.ClientBase, target: OrgRoleTarget, appRole: AppRole): Promise<string> {
  const role = assertSafeIdentifier(target.schema ?? target.database);
  if (!target.schema) {
    await ensureRole(client, {
      name: role,
      login: true,
      password: rolePassword(appRole, role),
      marker: marker(target.orgId),
    });
    await applyStatementTimeout(client, [role], appRole.statementTimeoutMs);
    return role;
  }
  const switcher = switcherRoleName(appRole);
  await ensureRole(client, {
    name: switcher,
    login: true,
    password: rolePassword(appRole, switcher),
    marker: SWITCHER_MARKER,
  });
  // The switcher's, not the organization role's: SET ROLE does not apply a role's settings.
  await applyStatementTimeout(client, [switcher], appRole.statementTimeoutMs);
  await ensureRole(client, { name: role, login: false, marker: marker(target.orgId) });
  const member = await client.query(
    "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = $2",
    [role, switcher],
  );
  if (member.rowCount === 0) await client.query(`GRANT ${quoteIdentifier(role)} TO ${quoteIdentifier(switcher)}`);
  return role;
}

/** Sets the passwords of the organization's login role (DATABASE) or of the switcher (SCHEMA) from the current secret. */
export async function rotateOrgRolePassword(
  client: pg.ClientBase,
  target: OrgRoleTarget,
  appRole: AppRole,
): Promise<string> {
  const login = target.schema ? switcherRoleName(appRole) : assertSafeIdentifier(target.database);
  await setRolePassword(client, login, rolePassword(appRole, login));
  return login;
}

/**
 * Locks the database down and grants the organization's role DML on its organization
 * tables (only INSERT and SELECT on append-only ones), nothing else. Runs after each migration run, in its transaction, with search_path
 * on the organization's schema (SCHEMA) or public (DATABASE); tables a migration adds are
 * granted here.
 */
export async function secureOrgTarget(client: pg.ClientBase, target: OrgRoleTarget, appRole: AppRole): Promise<void> {
  const role = quoteIdentifier(target.schema ?? target.database);
  const database = quoteIdentifier(target.database);
  // Schemas of one host database are migrated concurrently; these statements update the same
  // catalog rows (the database's, public's, set_config's), which PostgreSQL refuses to do at once.
  await client.query("SELECT pg_advisory_xact_lock(hashtext('tenantgraph: secure database'))");
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await client.query(
    `GRANT CONNECT ON DATABASE ${database} TO ${target.schema ? quoteIdentifier(switcherRoleName(appRole)) : role}`,
  );
  await client.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
  await revokeLargeObjects(client);
  if (target.schema) await hardenHostDatabase(client);
  const schema = target.schema ? quoteIdentifier(target.schema) : "public";
  await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
  for (const table of await orgTables(client)) {
    await client.query(`GRANT ${requestPrivileges(table)} ON ${schema}.${quoteIdentifier(table)} TO ${role}`);
  }
}

/**
 * Large objects belong to no schema: any role may create them (and fill the disk) unless
 * the functions that create them are taken away from PUBLIC. Requests never use them.
 */
export async function revokeLargeObjects(client: pg.ClientBase): Promise<void> {
  for (const fn of [
    "lo_creat(integer)",
    "lo_create(oid)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
  ]) {
    await client.query(`REVOKE EXECUTE ON FUNCTION pg_catalog.${fn} FROM PUBLIC`);
  }
}

/**
 * In a SCHEMA host database every organization role is reachable from the switcher, so SQL
 * must have no way to change the current role: set_config (and the pg_settings view that
 * calls it), PL/pgSQL (DO blocks), and the functions that run SQL given as text are not
 * PUBLIC's. (The SET / RESET statements are refused by the pool: role-scoped-pool.ts.)
 */
async function hardenHostDatabase(client: pg.ClientBase): Promise<void> {
  await client.query(`REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC`);
  await client.query(`REVOKE UPDATE ON pg_catalog.pg_settings FROM PUBLIC`);
  await client.query(`REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC`);
  for (const fn of [
    "query_to_xml(text, boolean, boolean, text)",
    "query_to_xmlschema(text, boolean, boolean, text)",
    "query_to_xml_and_xmlschema(text, boolean, boolean, text)",
    "ts_stat(text)",
    "ts_stat(text, text)",
    "ts_rewrite(tsquery, text)",
  ]) {
    await client.query(`REVOKE EXECUTE ON FUNCTION pg_catalog.${fn} FROM PUBLIC`);
  }
}

/** Drops the organization's role (after its data is gone); the switcher stays. */
export async function dropOrgRole(
  client: pg.ClientBase,
  org: Pick<Placement, "tier" | "databaseName" | "schemaName">,
): Promise<void> {
  const role = orgRoleName(org);
  if (role) await client.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
}
