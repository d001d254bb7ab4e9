// The two placements of a move: the target is provisioned with the steps of a new
// organization (provision.ts placementSteps: database, roles, migrations, grants, row-level
// security), and either side's data is removed again (--abort: the target; --cleanup: the source).
//
// DATABASE- and SCHEMA-tier organizations both have a role named org_<slug>: a move between
// those tiers on one server shares it (a login role for DATABASE, a group role for SCHEMA),
// so it is never dropped with either side, and it becomes what the target needs at the switch.
import type { Organization, Tier } from "../data/central-client.ts";
import type { Placement } from "../data/placement.ts";
import { serverUrlOf } from "../data/placement.ts";
import { orgRoleName, rolePassword } from "../data/request-roles.ts";
import { setRolePassword } from "../data/role-passwords.ts";
import { databaseExists, withPgClient } from "../data/server-admin.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { removeOrgData } from "./org-data.ts";
import { dropOrgRole } from "./org-roles.ts";
import { placementFor, placementSteps, type ProvisionDeps } from "./provision.ts";

export type PlacementOf = Pick<Placement, "tier" | "server" | "databaseName" | "schemaName">;

export function targetPlacement(
  org: Pick<Organization, "slug">,
  tier: Tier,
  server: string,
  hostDatabasePrefix?: string,
): PlacementOf {
  return { tier, server, ...placementFor(tier, org.slug, hostDatabasePrefix) };
}

export function samePlacement(a: PlacementOf, b: PlacementOf): boolean {
  return (
    a.tier === b.tier && a.server === b.server && a.databaseName === b.databaseName && a.schemaName === b.schemaName
  );
}

/** The org_<slug> role both placements use (same server, DATABASE and SCHEMA), or null. */
export function sharedRole(a: PlacementOf, b: PlacementOf): string | null {
  const role = orgRoleName(a);
  return role && a.server === b.server && role === orgRoleName(b) ? role : null;
}

/** Runs a new organization's placement steps for the target; the organization stays routed to its source. */
export async function provisionTarget(deps: ProvisionDeps, org: Organization, target: PlacementOf): Promise<void> {
  const source: PlacementOf = org;
  const asTarget: Organization = { ...org, ...target };
  for (const [, step] of placementSteps(target.tier)) await step(asTarget, deps, { slug: org.slug, name: org.name });
  const role = sharedRole(source, target);
  const adminUrl = serverUrlOf(deps.servers, target.server);
  if (target.tier === "DATABASE") {
    // An existing role (a SCHEMA source's group role on this server) keeps no password: give it its own.
    const login = orgRoleName(target)!;
    await withPgClient(adminUrl, (c) => setRolePassword(c, login, rolePassword(deps.appRole!, login)));
  } else if (role && source.tier === "DATABASE") {
    // The SCHEMA target's steps made the shared role NOLOGIN; the source still connects as it until the switch.
    await withPgClient(adminUrl, (c) => c.query(`ALTER ROLE ${quoteIdentifier(role)} LOGIN`));
  }
}

/** After the switch: a role shared with a DATABASE source becomes the SCHEMA target's group role. */
export async function settleTargetRole(servers: Record<string, string>, source: PlacementOf, target: PlacementOf) {
  const role = sharedRole(source, target);
  if (role && target.tier === "SCHEMA") {
    await withPgClient(serverUrlOf(servers, target.server), (c) =>
      c.query(`ALTER ROLE ${quoteIdentifier(role)} NOLOGIN`),
    );
  }
}

/**
 * Removes the organization's data from a placement that no longer (or not yet) serves it:
 * its database, its schema, or its rows of a shared database; and its role, unless the other
 * placement uses it. Idempotent, also when the placement was never created.
 */
export async function removePlacementData(
  servers: Record<string, string>,
  orgId: string,
  placement: PlacementOf,
  other: PlacementOf,
): Promise<void> {
  const serverUrl = serverUrlOf(servers, placement.server);
  if (!(await databaseExists(serverUrl, placement.databaseName))) return;
  // The fence goes in the rows' transaction: the capture trigger would refuse their deletes.
  await removeOrgData({ id: orgId, ...placement }, servers, async (c) => {
    const fence = await c.query("SELECT to_regclass('tenantgraph_move.moving_orgs') IS NOT NULL AS present");
    if (fence.rows[0]!.present) await c.query("DELETE FROM tenantgraph_move.moving_orgs WHERE org_id = $1", [orgId]);
  });
  if (!sharedRole(placement, other)) await withPgClient(serverUrl, (c) => dropOrgRole(c, placement));
}
