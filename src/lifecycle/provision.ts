// Provisioning an organization: small idempotent steps in one explicit order per tier, with
// the state recorded in the central database. Until READY the organization is not routed.
// A failure marks it FAILED with the reason; running provisioning again resumes (an
// existing database or schema is reused, migrations already applied are skipped) and
// finishes.
import type { Organization, Tier } from "../data/central-client.ts";
import { databaseExists, ensureDatabase } from "../data/server-admin.ts";
import { assertSafeIdentifier, InvalidIdentifierError } from "../data/sql-identifiers.ts";
import { isAtLeast, latestVersion } from "../data/migrator.ts";
import { hostDatabaseFor, serverUrlOf } from "../data/placement.ts";
import type { AppRole } from "../data/request-roles.ts";
import { ensureAppRole } from "./shared-database.ts";
import { migrateTarget, orgTarget, tenantMigrations, type LifecycleDeps } from "./targets.ts";

export class ProvisionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ProvisionInputError";
  }
}

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

const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/** Slugs that would read as something else in URLs, logs or database names. */
const RESERVED_SLUGS = new Set([
  "admin",
  "api",
  "www",
  "graphql",
  "health",
  "postgres",
  "template0",
  "template1",
  "public",
  "system",
  "root",
  "tenantgraph",
  "central",
  "shared",
  "schemas",
]);

/** Organization database and schema names follow one convention: org_<slug>, "-" mapped to "_". */
export function databaseNameFor(slug: string): string {
  if (typeof slug !== "string" || !SLUG.test(slug) || slug.includes("--")) {
    throw new ProvisionInputError(
      "slug",
      "3-40 characters: a-z, 0-9 and single '-', starting with a letter, not ending with '-'",
    );
  }
  if (RESERVED_SLUGS.has(slug)) throw new ProvisionInputError("slug", `"${slug}" is reserved`);
  try {
    return assertSafeIdentifier(`org_${slug.replace(/-/g, "_")}`);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) throw new ProvisionInputError("slug", error.message);
    throw error;
  }
}

type Step = (org: Organization, deps: ProvisionDeps) => Promise<Organization | void>;

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
  async (org, deps) =>
    (await sharedDatabaseIsCurrent(org, deps)) ? undefined : step(org, deps);

const migrateShared: Step = async (org, deps) => {
  const version = await sharedDatabaseIsCurrent(org, deps);
  if (!version) return migrate(org, deps);
  return deps.central.organization.update({ where: { id: org.id }, data: { schemaVersion: version, lastError: null } });
};

const migrate: Step = async (org, deps) => {
  const target = orgTarget(org, deps.servers);
  await migrateTarget(deps, target, await tenantMigrations(deps));
  return deps.central.organization.findUniqueOrThrow({ where: { id: org.id } });
};

const markReady: Step = (org, deps) =>
  deps.central.organization.update({ where: { id: org.id }, data: { state: "READY", lastError: null } });

/** The steps of each tier, in order. Each is safe to run again. */
const PIPELINES: Record<Tier, Array<[string, Step]>> = {
  DATABASE: [
    ["create database", createDatabase],
    ["migrate", migrate],
    ["mark ready", markReady],
  ],
  SCHEMA: [
    ["create schema database", createDatabase],
    ["create schema and migrate", migrate],
    ["mark ready", markReady],
  ],
  SHARED: [
    ["create shared database", unlessSharedCurrent(createDatabase)],
    ["create application role", unlessSharedCurrent(createAppRole)],
    ["migrate shared database", migrateShared],
    ["mark ready", markReady],
  ],
};

export async function provisionOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const org = await recordOrganization(deps, request);
  if (org.state === "READY") return org;
  let current = org;
  for (const [name, step] of PIPELINES[org.tier]) {
    deps.onStep?.(name, current);
    try {
      await deps.beforeStep?.(name, current);
      current = (await step(current, deps)) ?? current;
    } catch (error) {
      const reason = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      await deps.central.organization.update({ where: { id: org.id }, data: { state: "FAILED", lastError: reason } });
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
    return deps.central.organization.update({ where: { id: org.id }, data: { state: "PROVISIONING" } });
  }
  const prefix = deps.defaults?.hostDatabasePrefix ?? "tenantgraph";
  const placement =
    tier === "DATABASE"
      ? { databaseName: orgName, schemaName: null }
      : tier === "SCHEMA"
        ? { databaseName: hostDatabaseFor("SCHEMA", prefix), schemaName: orgName }
        : { databaseName: hostDatabaseFor("SHARED", prefix), schemaName: null };
  // A database of that name that we did not create is someone else's: never adopt it.
  if (tier === "DATABASE" && (await databaseExists(deps.servers[server]!, orgName))) {
    throw new ProvisionInputError("slug", `database ${orgName} already exists on server ${server}`);
  }
  try {
    return await deps.central.organization.create({
      data: {
        ...(request.newId ? { id: request.newId } : {}),
        slug,
        name,
        tier,
        server,
        ...placement,
        state: "PROVISIONING",
        ...(request.ownerId ? { memberships: { create: { userId: request.ownerId, role: "OWNER" } } } : {}),
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ProvisionInputError("slug", "is taken");
    throw error;
  }
}
