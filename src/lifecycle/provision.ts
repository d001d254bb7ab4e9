// Provisioning an organization: small idempotent steps in one explicit order, with the
// state recorded in the central database. A failure marks the organization FAILED with the
// reason; running provisioning again resumes (an existing database is reused, migrations
// already applied are skipped) and finishes.
import type { CentralDb, Organization, Tier } from "../data/central-client.ts";
import { loadMigrations, migrateDatabase } from "../data/migrator.ts";
import { ensureDatabase, withPgClient } from "../data/server-admin.ts";
import { assertSafeIdentifier, InvalidIdentifierError } from "../data/sql-identifiers.ts";
import { databaseUrlOn } from "../tenancy/placement.ts";

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
}

export interface ProvisionDeps {
  central: CentralDb;
  servers: Record<string, string>;
  /** Progress lines for operators. */
  onStep?: (step: string, org: Pick<Organization, "slug">) => void;
}

const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/** Slugs that would read as something else in URLs, logs or database names. */
const RESERVED_SLUGS = new Set(["admin", "api", "www", "graphql", "health", "postgres", "template0", "template1", "public", "system", "root", "tenantgraph", "central", "shared"]);

/** Organization database names follow one convention: org_<slug>, "-" mapped to "_". */
export function databaseNameFor(slug: string): string {
  if (!SLUG.test(slug) || slug.includes("--")) {
    throw new ProvisionInputError("slug", "3-40 characters: a-z, 0-9 and single '-', starting with a letter, not ending with '-'");
  }
  if (RESERVED_SLUGS.has(slug)) throw new ProvisionInputError("slug", `"${slug}" is reserved`);
  try {
    return assertSafeIdentifier(`org_${slug.replace(/-/g, "_")}`);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) throw new ProvisionInputError("slug", error.message);
    throw error;
  }
}

type Step = (org: Organization, deps: ProvisionDeps) => Promise<Organization>;

const steps: Array<[string, Step]> = [
  ["create database", async (org, deps) => {
    await ensureDatabase(serverUrl(deps, org.server), org.databaseName);
    return org;
  }],
  ["migrate", async (org, deps) => {
    const url = databaseUrlOn(serverUrl(deps, org.server), org.databaseName);
    const result = await withPgClient(url, async (c) => migrateDatabase(c, await loadMigrations("tenant")));
    return deps.central.organization.update({ where: { id: org.id }, data: { schemaVersion: result.version } });
  }],
  ["mark ready", (org, deps) =>
    deps.central.organization.update({ where: { id: org.id }, data: { state: "READY", lastError: null } })],
];

export async function provisionOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const org = await recordOrganization(deps, request);
  if (org.state === "READY") return org;
  let current = org;
  for (const [name, step] of steps) {
    deps.onStep?.(name, current);
    try {
      current = await step(current, deps);
    } catch (error) {
      const reason = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      await deps.central.organization.update({ where: { id: org.id }, data: { state: "FAILED", lastError: reason } });
      throw new Error(`provisioning ${org.slug} failed at ${reason}`, { cause: error });
    }
  }
  return current;
}

/** Step 0: the central record, created PROVISIONING, or the existing one when resuming. */
async function recordOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const slug = request.slug;
  const databaseName = databaseNameFor(slug);
  const name = request.name.trim();
  if (name.length < 1 || name.length > 200) throw new ProvisionInputError("name", "must be 1-200 characters");
  const tier = request.tier ?? "DATABASE";
  if (tier !== "DATABASE") throw new ProvisionInputError("tier", `${tier} is not supported yet`);
  const server = request.server ?? "main";
  serverUrl(deps, server);
  const existing = await deps.central.organization.findUnique({ where: { slug } });
  if (existing) {
    if (existing.state === "DELETED" || existing.deletedAt) throw new ProvisionInputError("slug", "belongs to a deleted organization");
    if (existing.state !== "READY" && existing.state !== "PROVISIONING" && existing.state !== "FAILED") {
      throw new ProvisionInputError("slug", `organization is ${existing.state.toLowerCase()}`);
    }
    return existing.state === "FAILED"
      ? deps.central.organization.update({ where: { id: existing.id }, data: { state: "PROVISIONING" } })
      : existing;
  }
  return deps.central.organization.create({
    data: { slug, name, tier, server, databaseName, state: "PROVISIONING" },
  });
}

function serverUrl(deps: ProvisionDeps, server: string): string {
  const url = deps.servers[server];
  if (!url) throw new ProvisionInputError("server", `"${server}" is not a configured server`);
  return url;
}
