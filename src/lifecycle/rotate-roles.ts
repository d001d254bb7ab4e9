// `tenantgraph roles rotate`: brings every READY organization's roles up to date and sets
// their passwords from the current secret. Idempotent, so it is also how organizations
// provisioned before per-organization roles existed get theirs (run it once after the
// upgrade). Per target: the organization's role (DATABASE, SCHEMA) or the application role
// (each SHARED database) exists, its grants and the database lock-down are applied, and its
// login role's password is set (as a SCRAM verifier). Failures are reported per target;
// the others go on.
import { setRolePassword } from "../data/role-passwords.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { withPgClient } from "../data/server-admin.ts";
import { fleetTargets } from "./migrate-fleet.ts";
import { ensureOrgRoles, rotateOrgRolePassword, secureOrgTarget, type OrgRoleTarget } from "./org-roles.ts";
import { ensureAppRole, secureSharedDatabase } from "./shared-database.ts";
import type { LifecycleDeps, MigrationTarget } from "./targets.ts";
import type pg from "pg";

export interface RoleRotation {
  target: string;
  /** The login role whose password was set. */
  login?: string;
  error?: string;
}

export async function rotateRoles(
  deps: LifecycleDeps,
  options: { orgs?: string[]; onResult?: (r: RoleRotation) => void } = {},
): Promise<RoleRotation[]> {
  const results: RoleRotation[] = [];
  const rotated = new Set<string>(); // login roles are per server: the switcher and the application role once each
  for (const { target } of await fleetTargets(deps, options.orgs)) {
    const result: RoleRotation = { target: target.label };
    try {
      result.login =
        target.kind === "shared" ? await rotateShared(deps, target, rotated) : await rotateOrg(deps, target, rotated);
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function rotateOrg(deps: LifecycleDeps, target: MigrationTarget, rotated: Set<string>): Promise<string> {
  const orgRole: OrgRoleTarget = { orgId: target.orgId!, database: target.database, schema: target.schema };
  return withPgClient(target.url, async (client) => {
    await ensureOrgRoles(client, orgRole, deps.appRole);
    await inTransaction(client, target.schema, () => secureOrgTarget(client, orgRole, deps.appRole));
    const key = `${target.server}:${target.schema ? "switcher" : target.database}`;
    if (rotated.has(key)) return "(done)";
    rotated.add(key);
    return rotateOrgRolePassword(client, orgRole, deps.appRole);
  });
}

async function rotateShared(deps: LifecycleDeps, target: MigrationTarget, rotated: Set<string>): Promise<string> {
  await ensureAppRole(target.url, deps.appRole);
  return withPgClient(target.url, async (client) => {
    await inTransaction(client, undefined, () => secureSharedDatabase(client, deps.appRole));
    const key = `${target.server}:app`;
    if (!rotated.has(key)) {
      rotated.add(key);
      await setRolePassword(client, deps.appRole.name, deps.appRole.password);
    }
    return deps.appRole.name;
  });
}

async function inTransaction(
  client: pg.ClientBase,
  schema: string | undefined,
  work: () => Promise<void>,
): Promise<void> {
  await client.query("BEGIN");
  try {
    if (schema) await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    await work();
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
