// Provisioning an organization: small idempotent steps in one explicit order per tier, with
// the state recorded in the central database. Until READY the organization is not routed.
// A failure marks it FAILED with the reason; running provisioning again resumes (an
// existing database or schema is reused, migrations already applied are skipped) and
// finishes.
import { randomUUID } from "node:crypto";
import type { Organization, Tier } from "../data/central-client.ts";
import { notifyCentral, type CentralEvent } from "../data/central-notifications.ts";
import { databaseExists, ensureDatabase } from "../data/server-admin.ts";
import { isAtLeast, latestVersion } from "../data/migrator.ts";
import { hostDatabaseFor, serverUrlOf } from "../data/placement.ts";
import type { AppRole } from "../data/request-roles.ts";
import { changeOrganization } from "./org-changes.ts";
import { appendOperatorAudit } from "./org-audit.ts";
import { withOrgData } from "./org-data.ts";
import { ensureAppRole } from "./shared-database.ts";
import { migrateTarget, orgTarget, tenantMigrations, type LifecycleDeps } from "./targets.ts";
import { databaseNameFor, ProvisionInputError } from "./org-slug.ts";

export { databaseNameFor, ProvisionInputError };

export interface ProvisionRequest {
  slug: string;
  name: string;
  tier?: Tier;
  server?: string;
  /**
   * The user creating it (self-service): recorded as OWNER together with the organization.
   * Only that user may resume it, and an existing READY slug is "taken", not returned.
   */
  ownerId?: string;
  /**
   * A new organization only, created with this id (imports): an existing slug, including a
   * deleted organization's tombstone, is refused before anything is written, never resumed.
   */
  newId?: string;
  /** Host names (a subdomain of ORG_HOST_SUFFIX) recorded with the organization; taken ones are refused. */
  subdomainHosts?: string[];
  /** The operator of a CLI command, recorded as the actor of organization.created. */
  operator?: string;
}

export interface ProvisionDeps extends Omit<LifecycleDeps, "appRole"> {
  /** Needed for the SHARED tier (the role its requests connect as). */
  appRole?: AppRole;
  defaults?: { tier?: Tier; server?: string; hostDatabasePrefix?: string };
  /** Progress lines for operators. */
  onStep?: (step: string, org: Pick<Organization, "slug">) => void;
  /** Called before each step; throwing simulates a crash there (tests). */
  beforeStep?: (step: string, org: Organization) => void | Promise<void>;
}

type Step = (org: Organization, deps: ProvisionDeps, request: ProvisionRequest) => Promise<Organization | void>;

/** Where a new organization of `tier` lives on a server: its own database, a schema of the host database, or the shared one. */
export function placementFor(
  tier: Tier,
  slug: string,
  hostDatabasePrefix = "tenantgraph",
): { databaseName: string; schemaName: string | null } {
  const orgName = databaseNameFor(slug);
  if (tier === "DATABASE") return { databaseName: orgName, schemaName: null };
  if (tier === "SCHEMA") return { databaseName: hostDatabaseFor("SCHEMA", hostDatabasePrefix), schemaName: orgName };
  return { databaseName: hostDatabaseFor("SHARED", hostDatabasePrefix), schemaName: null };
}

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
const PIPELINES: Record<Tier, Array<[string, Step]>> = {
  DATABASE: [
    ["create database", createDatabase],
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

export async function provisionOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const org = await recordOrganization(deps, request);
  if (org.state === "READY") return org;
  let current = org;
  for (const [name, step] of PIPELINES[org.tier]) {
    deps.onStep?.(name, current);
    try {
      await deps.beforeStep?.(name, current);
      current = (await step(current, deps, request)) ?? current;
    } catch (error) {
      const reason = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      await changeOrganization(deps, org.id, { state: "FAILED", lastError: reason });
      if (error instanceof ProvisionInputError) throw error;
      throw new Error(`provisioning ${org.slug} failed at ${reason}`, { cause: error });
    }
  }
  return current;
}

/**
 * Step 0: the central record, created PROVISIONING, or the existing one when resuming.
 * Everything is checked before anything is written.
 */
async function recordOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const slug = request.slug;
  const orgName = databaseNameFor(slug);
  const name = typeof request.name === "string" ? request.name.trim() : "";
  if (name.length < 1 || name.length > 200) throw new ProvisionInputError("name", "must be 1-200 characters");
  const tier = request.tier ?? deps.defaults?.tier ?? "DATABASE";
  if (!(tier in PIPELINES)) throw new ProvisionInputError("tier", "must be DATABASE, SCHEMA or SHARED");
  const server = request.server ?? deps.defaults?.server ?? "main";
  if (!deps.servers[server]) throw new ProvisionInputError("server", `"${server}" is not a configured server`);

  const existing = await deps.central.organization.findUnique({
    where: { slug },
    include: {
      memberships: { where: { userId: request.ownerId ?? "00000000-0000-0000-0000-000000000000", role: "OWNER" } },
    },
  });
  if (existing && request.newId)
    throw new ProvisionInputError("slug", `is taken by an existing organization (${existing.state.toLowerCase()})`);
  if (existing && request.ownerId && (existing.state === "READY" || existing.memberships.length === 0)) {
    throw new ProvisionInputError("slug", "is taken");
  }
  if (existing) {
    if (existing.state === "DELETED") throw new ProvisionInputError("slug", "belongs to a deleted organization");
    if (existing.state !== "READY" && existing.state !== "PROVISIONING" && existing.state !== "FAILED") {
      throw new ProvisionInputError("slug", `organization is ${existing.state.toLowerCase()}`);
    }
    const { memberships: _, ...org } = existing;
    if (org.state === "READY") return org;
    return changeOrganization(deps, org.id, { state: "PROVISIONING" });
  }
  const placement = placementFor(tier, slug, deps.defaults?.hostDatabasePrefix);
  // A database of that name that we did not create is someone else's: never adopt it.
  if (tier === "DATABASE" && (await databaseExists(deps.servers[server]!, orgName))) {
    throw new ProvisionInputError("slug", `database ${orgName} already exists on server ${server}`);
  }
  const hosts = request.subdomainHosts ?? [];
  if (hosts.length && (await subdomainTaken(deps, hosts))) throw new ProvisionInputError("subdomain", "is taken");
  const id = request.newId ?? randomUUID();
  // The owner's membership is new: a cached "only organization" of that user is no longer true.
  const event: CentralEvent | undefined = request.ownerId
    ? { type: "membership-changed", orgId: id, userId: request.ownerId }
    : undefined;
  try {
    const [created] = await deps.central.$transaction([
      deps.central.organization.create({
        data: {
          id,
          slug,
          name,
          tier,
          server,
          ...placement,
          state: "PROVISIONING",
          ...(request.ownerId ? { memberships: { create: { userId: request.ownerId, role: "OWNER" } } } : {}),
          ...(hosts.length ? { hosts: { create: hosts.map((host) => ({ host, kind: "SUBDOMAIN" as const })) } } : {}),
        },
      }),
      ...(event ? [notifyCentral(deps.central, event)] : []),
    ]);
    if (event) deps.announce?.(event);
    return created;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      if (hosts.length && (await subdomainTaken(deps, hosts))) throw new ProvisionInputError("subdomain", "is taken");
      throw new ProvisionInputError("slug", "is taken");
    }
    throw error;
  }
}

async function subdomainTaken(deps: ProvisionDeps, hosts: string[]): Promise<boolean> {
  return (await deps.central.orgHost.count({ where: { host: { in: hosts } } })) > 0;
}
