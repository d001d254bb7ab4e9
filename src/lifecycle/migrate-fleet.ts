// Tenant migrations for every READY organization. One organization's failure does not stop
// the others: it is recorded (lastError) and reported, and a rerun resumes where it failed.
import type { CentralDb, Organization } from "../data/central-client.ts";
import { loadMigrations, migrateDatabase } from "../data/migrator.ts";
import { withPgClient } from "../data/server-admin.ts";
import { resolvePlacement } from "../tenancy/placement.ts";

export interface OrgMigrationResult {
  slug: string;
  applied: string[];
  error?: string;
}

export interface MigrateFleetOptions {
  central: CentralDb;
  servers: Record<string, string>;
  /** Called after each organization. */
  onOrg?: (result: OrgMigrationResult, done: number, total: number) => void;
}

export async function migrateFleet({ central, servers, onOrg }: MigrateFleetOptions): Promise<OrgMigrationResult[]> {
  const migrations = await loadMigrations("tenant");
  const orgs = await central.organization.findMany({ where: { state: "READY" }, orderBy: { slug: "asc" } });
  const results: OrgMigrationResult[] = [];
  for (const org of orgs) {
    const result = await migrateOrg(central, servers, org, migrations);
    results.push(result);
    onOrg?.(result, results.length, orgs.length);
  }
  return results;
}

async function migrateOrg(
  central: CentralDb,
  servers: Record<string, string>,
  org: Organization,
  migrations: Awaited<ReturnType<typeof loadMigrations>>,
): Promise<OrgMigrationResult> {
  try {
    const { url } = resolvePlacement(org, servers);
    const { applied, version } = await withPgClient(url, (c) => migrateDatabase(c, migrations));
    await central.organization.update({ where: { id: org.id }, data: { schemaVersion: version, lastError: null } });
    return { slug: org.slug, applied };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await central.organization.update({ where: { id: org.id }, data: { lastError: message } });
    return { slug: org.slug, applied: [], error: message };
  }
}
