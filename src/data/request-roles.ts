// Which database role a request runs as, per tier, and its derived password. Requests never
// use the administrative URL of a server:
// - DATABASE: the organization's own login role (its database name), on its own pool;
// - SCHEMA:   the server's switcher login role (no rights of its own), switched per
//             transaction to the organization's role (its schema name): role-scoped-pool.ts;
// - SHARED:   the application role (APP_DB_ROLE), under row-level security.
// The roles are created and granted by src/lifecycle/org-roles.ts; the tenancy layer connects with them.
import type { Placement } from "./placement.ts";
import { derivedRolePassword } from "./role-passwords.ts";
import { assertSafeIdentifier } from "./sql-identifiers.ts";

/** The application role: SHARED-tier requests connect as it (owns nothing, cannot bypass row-level security). */
export interface AppRole {
  name: string;
  password: string;
  /**
   * ORG_STATEMENT_TIMEOUT_MS, set on every request login role when it is ensured (role-settings.ts);
   * 0 = none; absent: the roles' setting is left as it is.
   */
  statementTimeoutMs?: number;
}

/** The role of a DATABASE- or SCHEMA-tier organization: its database or schema name; none for SHARED. */
export function orgRoleName(org: Pick<Placement, "tier" | "databaseName" | "schemaName">): string | null {
  if (org.tier === "DATABASE") return assertSafeIdentifier(org.databaseName);
  if (org.tier === "SCHEMA") return assertSafeIdentifier(org.schemaName ?? "");
  return null;
}

/** The login role of the SCHEMA tier's shared pools: a member of every schema organization's role, with no rights of its own. */
export function switcherRoleName(appRole: Pick<AppRole, "name">): string {
  return assertSafeIdentifier(`${appRole.name}_switcher`);
}

/** Passwords derive from the application role's password (APP_DB_PASSWORD): one secret to keep and rotate. */
export function rolePassword(appRole: AppRole, role: string): string {
  return derivedRolePassword(appRole.password, role);
}

/** The URL of a database with a role's credentials instead of the administrative ones. */
export function roleUrl(adminUrl: string, role: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}
