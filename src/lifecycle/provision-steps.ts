// The steps of provisioning, per tier, in order. Each is idempotent: provisioning resumed
// after a failure runs them all again, and a move's target runs those that place data.
import type { Organization, Tier } from "../data/central-client.ts";
import { ensureDatabase } from "../data/server-admin.ts";
import { isAtLeast, latestVersion } from "../data/migrator.ts";
import { serverUrlOf } from "../data/placement.ts";
import { createOrgDatabase } from "./database-tier.ts";
import { changeOrganization } from "./org-changes.ts";
import { appendOperatorAudit } from "./org-audit.ts";
import { withOrgData } from "./org-data.ts";
import type { ProvisionDeps, ProvisionRequest } from "./provision-input.ts";
import { ensureAppRole } from "./shared-database.ts";
import { migrateTarget, orgTarget, tenantMigrations } from "./targets.ts";

export type Step = (org: Organization, deps: ProvisionDeps, request: ProvisionRequest) => Promise<Organization | void>;

/** The organization's own database (DATABASE tier) or the host database it shares (SCHEMA, SHARED). */
const createDatabase: Step = async (org, deps) => {
  await ensureDatabase(serverUrlOf(deps.servers, org.server), org.databaseName);
};

const createAppRole: Step = async (org, deps) => {
  if (!deps.appRole) throw new Error("the SHARED tier needs an application role (config.appRole)");
  await ensureAppRole(serverUrlOf(deps.servers, org.server), deps.appRole);
};

/**
 * A SHARED-tier organization joining a database the central database records as migrated to
 * this code's version (and not failed) needs nothing done on the server: its steps only
 * record that, so provisioning one is a few central statements, and never locks the shared
 * tables (as re-securing them would) while other organizations' requests use them.
 */
async function sharedDatabaseIsCurrent(org: Organization, deps: ProvisionDeps): Promise<string | undefined> {
  const version = latestVersion(await tenantMigrations(deps));
  const row = await deps.central.sharedDatabase.findUnique({
    where: { server_databaseName: { server: org.server, databaseName: org.databaseName } },
    select: { schemaVersion: true, lastError: true },
  });
  return version && row && !row.lastError && isAtLeast(row.schemaVersion, version) ? version : undefined;
}

const unlessSharedCurrent =
  (step: Step): Step =>
  async (org, deps, request) =>
    (await sharedDatabaseIsCurrent(org, deps)) ? undefined : step(org, deps, request);

const migrateShared: Step = async (org, deps, request) => {
  const version = await sharedDatabaseIsCurrent(org, deps);
  if (!version) return migrate(org, deps, request);
  return deps.central.organization.update({ where: { id: org.id }, data: { schemaVersion: version, lastError: null } });
};

const migrate: Step = async (org, deps) => {
  const target = orgTarget(org, deps.servers);
  await migrateTarget(deps, target, await tenantMigrations(deps));
  return deps.central.organization.findUniqueOrThrow({ where: { id: org.id } });
};

/** The organization's first audit record (once, also when provisioning is resumed). */
const recordCreation: Step = async (org, deps, request) => {
  await withOrgData(org, deps.servers, async (client) => {
    const found = await client.query(
      "SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'organization.created'",
      [org.id],
    );
    if (found.rowCount) return;
    await appendOperatorAudit(client, {
      action: "organization.created",
      orgId: org.id,
      operator: request.operator ?? null,
      actorId: request.ownerId ?? null,
      changes: (["slug", "name", "tier", "server"] as const).map((field) => ({ field, old: null, new: org[field] })),
    });
  });
};

const markReady: Step = (org, deps) => changeOrganization(deps, org.id, { state: "READY", lastError: null });

/** The steps of each tier, in order. Each is safe to run again. */
export const PIPELINES: Record<Tier, Array<[string, Step]>> = {
  DATABASE: [
    ["create database", createOrgDatabase],
    ["migrate", migrate],
    ["record creation", recordCreation],
    ["mark ready", markReady],
  ],
  SCHEMA: [
    ["create schema database", createDatabase],
    ["create schema and migrate", migrate],
    ["record creation", recordCreation],
    ["mark ready", markReady],
  ],
  SHARED: [
    ["create shared database", unlessSharedCurrent(createDatabase)],
    ["create application role", unlessSharedCurrent(createAppRole)],
    ["migrate shared database", migrateShared],
    ["record creation", recordCreation],
    ["mark ready", markReady],
  ],
};

/**
 * The steps that make a placement ready for an organization's rows (database, roles,
 * migrations, grants, row-level security), without routing it: a move's target gets exactly
 * what a new organization gets.
 */
export function placementSteps(tier: Tier): Array<[string, Step]> {
  // A move copies the organization's audit records: it must not write a second "created" one.
  return PIPELINES[tier].filter(([, step]) => step !== markReady && step !== recordCreation);
}
