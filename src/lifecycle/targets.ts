// Migration targets: every place a set of migrations is applied. The central database is
// one; so is each DATABASE-tier organization's database, each SCHEMA-tier organization's
// schema, and each SHARED database (shared by all its organizations). Provisioning, fleet
// migrations and `migrate status` all go through these few functions.
import type { CentralDb, Organization } from "../data/central-client.ts";
import type { AnnounceLocally } from "../data/central-notifications.ts";
import { loadMigrations, migrateDatabase, type Migration, type MigrateResult } from "../data/migrator.ts";
import { withPgClient } from "../data/server-admin.ts";
import { databaseUrlOn, resolvePlacement, serverUrlOf } from "../data/placement.ts";
import type { AppRole } from "../data/request-roles.ts";
import { ensureOrgRoles, secureOrgTarget } from "./org-roles.ts";
import { secureSharedDatabase } from "./shared-database.ts";

export type TargetKind = "central" | "org" | "shared";

export interface MigrationTarget {
  kind: TargetKind;
  /** What operators read: the org slug, `shared@<server>`, or `central`. */
  label: string;
  server: string;
  /** Administrative URL of the database. */
  url: string;
  database: string;
  schema?: string;
  /** The organization (kind "org"). */
  orgId?: string;
  /** The current recorded version (from the central database). */
  version: string | null;
}

export interface LifecycleDeps {
  central: CentralDb;
  servers: Record<string, string>;
  appRole: AppRole;
  /** Tenant migrations (default: prisma/tenant/migrations); tests pass their own. */
  migrations?: Migration[];
  /**
   * In a server process: applies a change it committed (and announced with notifyCentral) to
   * its own caches at once. Absent in the CLI, whose changes reach servers by NOTIFY only.
   */
  announce?: AnnounceLocally;
}

export function tenantMigrations(deps: Pick<LifecycleDeps, "migrations">): Promise<Migration[]> {
  return deps.migrations ? Promise.resolve(deps.migrations) : loadMigrations("tenant");
}

export function orgTarget(org: Organization, servers: Record<string, string>): MigrationTarget {
  if (org.tier === "SHARED") return sharedTarget(org.server, org.databaseName, servers, org.schemaVersion);
  const datasource = resolvePlacement(org, servers);
  return {
    kind: "org",
    label: org.slug,
    server: org.server,
    url: datasource.url,
    database: datasource.database,
    schema: datasource.schema,
    orgId: org.id,
    version: org.schemaVersion,
  };
}

export function sharedTarget(
  server: string,
  database: string,
  servers: Record<string, string>,
  version: string | null,
): MigrationTarget {
  return {
    kind: "shared",
    label: `${database}@${server}`,
    server,
    url: databaseUrlOn(serverUrlOf(servers, server), database),
    database,
    version,
  };
}

/** Applies the migrations to one target, one transaction per migration, and records the outcome centrally. */
export async function migrateTarget(
  deps: Omit<LifecycleDeps, "appRole"> & { appRole?: AppRole },
  target: MigrationTarget,
  migrations: Migration[],
): Promise<MigrateResult> {
  const appRole = deps.appRole;
  if (target.kind !== "central" && !appRole)
    throw new Error("organization data needs the application role (config.appRole): its roles derive from it");
  try {
    const result = await withPgClient(target.url, async (client) => {
      // The organization's role first (outside a transaction), then grants after the migrations.
      const orgRole =
        target.kind === "org" ? { orgId: target.orgId!, database: target.database, schema: target.schema } : undefined;
      if (orgRole) await ensureOrgRoles(client, orgRole, appRole!);
      return migrateDatabase(client, migrations, {
        schema: target.schema,
        finalize: orgRole
          ? (c) => secureOrgTarget(c, orgRole, appRole!)
          : target.kind === "shared"
            ? (c) => secureSharedDatabase(c, appRole!)
            : undefined,
      });
    });
    await recordOutcome(deps.central, target, result.version, null);
    return result;
  } catch (error) {
    await recordOutcome(deps.central, target, undefined, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Version and last error of a target, where routing and `migrate status` read them. */
async function recordOutcome(
  central: CentralDb,
  target: MigrationTarget,
  version: string | null | undefined,
  lastError: string | null,
) {
  const data = { lastError, ...(version !== undefined ? { schemaVersion: version } : {}) };
  if (target.kind === "org") {
    await central.organization.update({ where: { id: target.orgId! }, data });
  } else if (target.kind === "shared") {
    await central.sharedDatabase.upsert({
      where: { server_databaseName: { server: target.server, databaseName: target.database } },
      create: { server: target.server, databaseName: target.database, ...data },
      update: data,
    });
    // Its organizations are exactly as migrated as the database they share. Only the rows
    // that say otherwise are written: provisioning one more organization into a current
    // database touches its own row, not every other organization's (O(1), not O(fleet)).
    await central.organization.updateMany({
      where: {
        tier: "SHARED",
        server: target.server,
        databaseName: target.database,
        OR: [...differs("schemaVersion", version), ...differs("lastError", lastError)],
      },
      data,
    });
  }
}

/** Prisma filters matching rows whose `field` is not already `value` (NULL-safe; none when `value` is undefined). */
function differs<F extends "schemaVersion" | "lastError">(field: F, value: string | null | undefined) {
  if (value === undefined) return [];
  if (value === null) return [{ [field]: { not: null } }];
  return [{ [field]: null }, { [field]: { not: value } }];
}
