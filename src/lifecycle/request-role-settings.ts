// `tenantgraph migrate` brings the statement timeout of the request login roles to the
// configured ORG_STATEMENT_TIMEOUT_MS, also when every target is already current (and so
// never connected to): a changed value reaches the roles at the next `migrate`, or at
// `roles rotate` (which ensures every role again). Roles are per server, so this is one
// query per server when nothing changed, whatever the number of organizations.
// Provisioning and role creation apply it as they go (org-roles.ts, shared-database.ts).
import { applyStatementTimeout } from "../data/role-settings.ts";
import { serverUrlOf } from "../data/placement.ts";
import { withPgClient } from "../data/server-admin.ts";
import { switcherRoleName } from "../data/request-roles.ts";
import type { LifecycleDeps, MigrationTarget } from "./targets.ts";

export interface RoleSettingsResult {
  server: string;
  /** Login roles whose statement timeout was changed. */
  altered: string[];
  error?: string;
}

/** The login roles requests use for `targets`, by server: the application role, the switcher, DATABASE-tier roles. */
function loginRolesByServer(deps: LifecycleDeps, targets: MigrationTarget[]): Map<string, Set<string>> {
  const byServer = new Map<string, Set<string>>();
  for (const target of targets) {
    let roles = byServer.get(target.server);
    if (!roles) {
      roles = new Set([deps.appRole.name, switcherRoleName(deps.appRole)]);
      byServer.set(target.server, roles);
    }
    if (target.kind === "org" && !target.schema) roles.add(target.database);
  }
  return byServer;
}

/** Applies the configured statement timeout to the login roles of `targets` (existing ones only); per server, errors reported. */
export async function syncStatementTimeouts(
  deps: LifecycleDeps,
  targets: MigrationTarget[],
): Promise<RoleSettingsResult[]> {
  const timeoutMs = deps.appRole.statementTimeoutMs;
  if (timeoutMs === undefined) return [];
  const results: RoleSettingsResult[] = [];
  for (const [server, roles] of loginRolesByServer(deps, targets)) {
    try {
      const altered = await withPgClient(serverUrlOf(deps.servers, server), (client) =>
        applyStatementTimeout(client, [...roles], timeoutMs),
      );
      results.push({ server, altered });
    } catch (error) {
      results.push({ server, altered: [], error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
