// Fleet migrations: pending tenant migrations for every READY organization (or some), as
// migration targets (an organization's database or schema; a SHARED database counts once).
// A canary target goes first and stops everything if it fails; the rest run with bounded
// concurrency. Each target applies one transaction per migration, so no target is ever
// half-migrated; a failing target is recorded (last_error) and reported while the others
// go on; a rerun resumes. Targets already current (per the central database) are skipped
// without touching their database, so a no-op run over thousands of organizations is one
// central query (and one per server for the request roles' statement timeout).
import type { Organization } from "../data/central-client.ts";
import { isAtLeast, latestVersion, type Migration } from "../data/migrator.ts";
import { syncStatementTimeouts, type RoleSettingsResult } from "./request-role-settings.ts";
import {
  migrateTarget,
  orgTarget,
  sharedTarget,
  tenantMigrations,
  type LifecycleDeps,
  type MigrationTarget,
} from "./targets.ts";

export type TargetOutcome = "migrated" | "current" | "failed" | "not attempted";

export interface TargetResult {
  target: MigrationTarget;
  outcome: TargetOutcome;
  applied: string[];
  error?: string;
}

export interface FleetOptions {
  /** Only these organizations (slugs); default: every READY organization. */
  orgs?: string[];
  /** Migrations in flight at once (after the canary). */
  concurrency?: number;
  /** The organization to migrate first (default: the first pending target). */
  canary?: string;
  onResult?: (result: TargetResult, done: number, total: number) => void;
}

export interface FleetReport {
  version: string | null;
  results: TargetResult[];
  /** Set when the canary failed and nothing else was attempted. */
  stoppedAtCanary: boolean;
  /** The request login roles' statement timeout, per server (request-role-settings.ts). */
  roleSettings: RoleSettingsResult[];
}

export class FleetInputError extends Error {
  override name = "FleetInputError";
}

/** One connection per migration in flight: leave most of a server's budget to requests. */
export function defaultConcurrency(serverBudget: number): number {
  return Math.max(1, Math.min(16, Math.floor(serverBudget / 10)));
}

export async function migrateFleet(deps: LifecycleDeps, options: FleetOptions = {}): Promise<FleetReport> {
  const migrations = await tenantMigrations(deps);
  const version = latestVersion(migrations);
  const targets = await fleetTargets(deps, options.orgs);
  const roleSettings = await syncStatementTimeouts(
    deps,
    targets.map((t) => t.target),
  );
  const current = targets.filter((t) => isAtLeast(t.target.version, version) && !t.lastError);
  const pending = targets.filter((t) => !current.includes(t)).map((t) => t.target);
  const results: TargetResult[] = [];
  const total = targets.length;
  const report = (result: TargetResult) => {
    results.push(result);
    options.onResult?.(result, results.length, total);
  };
  for (const { target } of current) report({ target, outcome: "current", applied: [] });

  let canaryIndex = 0;
  if (options.canary) {
    canaryIndex = pending.findIndex((t) => t.label === options.canary);
    if (canaryIndex < 0) {
      const known = targets.some((t) => t.target.label === options.canary);
      if (!known) throw new FleetInputError(`canary "${options.canary}" is not among the organizations to migrate`);
      canaryIndex = 0; // the named canary is already current: the first pending target is the canary
    }
  }
  const [canary] = pending.splice(canaryIndex, 1);
  if (canary) {
    const result = await migrateOne(deps, canary, migrations);
    report(result);
    if (result.outcome === "failed") {
      for (const target of pending) report({ target, outcome: "not attempted", applied: [] });
      return { version, results, stoppedAtCanary: true, roleSettings };
    }
  }
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
      while (next < pending.length) report(await migrateOne(deps, pending[next++]!, migrations));
    }),
  );
  return { version, results, stoppedAtCanary: false, roleSettings };
}

async function migrateOne(
  deps: LifecycleDeps,
  target: MigrationTarget,
  migrations: Migration[],
): Promise<TargetResult> {
  try {
    const { applied } = await migrateTarget(deps, target, migrations);
    return { target, outcome: applied.length ? "migrated" : "current", applied };
  } catch (error) {
    return { target, outcome: "failed", applied: [], error: error instanceof Error ? error.message : String(error) };
  }
}

interface FleetTarget {
  target: MigrationTarget;
  lastError: string | null;
  orgs: Organization[];
}

/** READY organizations as migration targets, from the central database only. */
export async function fleetTargets(deps: LifecycleDeps, slugs?: string[]): Promise<FleetTarget[]> {
  const orgs = await deps.central.organization.findMany({
    where: { state: "READY", ...(slugs ? { slug: { in: slugs } } : {}) },
    orderBy: { slug: "asc" },
  });
  if (slugs) {
    const missing = slugs.filter((s) => !orgs.some((o) => o.slug === s));
    if (missing.length) throw new FleetInputError(`not READY organizations (or unknown): ${missing.join(", ")}`);
  }
  const sharedRows = new Map(
    (await deps.central.sharedDatabase.findMany()).map((row) => [`${row.server}/${row.databaseName}`, row]),
  );
  const shared = new Map<string, FleetTarget>();
  const targets: FleetTarget[] = [];
  for (const org of orgs) {
    if (org.tier !== "SHARED") {
      targets.push({ target: orgTarget(org, deps.servers), lastError: org.lastError, orgs: [org] });
      continue;
    }
    const key = `${org.server}/${org.databaseName}`;
    let entry = shared.get(key);
    if (!entry) {
      const row = sharedRows.get(key);
      entry = {
        target: sharedTarget(org.server, org.databaseName, deps.servers, row?.schemaVersion ?? null),
        lastError: row?.lastError ?? null,
        orgs: [],
      };
      shared.set(key, entry);
      targets.push(entry);
    }
    entry.orgs.push(org);
  }
  return targets;
}

export interface OrgStatus {
  slug: string;
  tier: string;
  server: string;
  database: string;
  state: string;
  version: string | null;
  status: "current" | "behind" | "failed";
  lastError: string | null;
}

/** Which organizations are behind, failed or current: central database only, no org database touched. */
export async function fleetStatus(deps: LifecycleDeps): Promise<{ version: string | null; orgs: OrgStatus[] }> {
  const version = latestVersion(await tenantMigrations(deps));
  const orgs = await deps.central.organization.findMany({
    where: { state: { not: "DELETED" } },
    orderBy: { slug: "asc" },
  });
  return {
    version,
    orgs: orgs.map((o) => ({
      slug: o.slug,
      tier: o.tier,
      server: o.server,
      database: o.schemaName ? `${o.databaseName}.${o.schemaName}` : o.databaseName,
      state: o.state,
      version: o.schemaVersion,
      status: o.lastError ? "failed" : isAtLeast(o.schemaVersion, version) ? "current" : "behind",
      lastError: o.lastError,
    })),
  };
}
