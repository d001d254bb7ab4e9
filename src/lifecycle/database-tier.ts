// The DATABASE tier's first step: the organization's own database, a copy of the server's
// pre-migrated template (data/database-templates.ts), so only what is the organization's
// own is left for the next step: its role, its grants, its version recorded centrally
// (targets.ts migrateTarget finds every migration applied already and only secures it).
// The result is the database the migrations alone would have made (test/lifecycle/
// database-template.test.ts compares them).
import { dropTemplates, ensureDatabaseFrom, templateFor } from "../data/database-templates.ts";
import { latestVersion, migrateDatabase } from "../data/migrator.ts";
import { serverUrlOf } from "../data/placement.ts";
import { ensureDatabase, withPgClient } from "../data/server-admin.ts";
import { DEFAULT_HOST_DATABASE_PREFIX } from "../config/env-schema.ts";
import type { ProvisionDeps } from "./provision-input.ts";
import type { Step } from "./provision-steps.ts";
import { tenantMigrations } from "./targets.ts";

export const createOrgDatabase: Step = async (org, deps) => {
  const serverUrl = serverUrlOf(deps.servers, org.server);
  const migrations = await tenantMigrations(deps);
  const template = templateFor(deps.defaults?.hostDatabasePrefix ?? DEFAULT_HOST_DATABASE_PREFIX, migrations, (url) =>
    // The migrations only: no finalize, whose grants name an organization's role.
    withPgClient(url, async (c) => void (await migrateDatabase(c, migrations))),
  );
  if (template) await ensureDatabaseFrom(serverUrl, org.databaseName, template);
  else await ensureDatabase(serverUrl, org.databaseName);
};

/**
 * Drops, on every server, the templates made for migrations older than these (after
 * `migrate`: provisioning never copies them again). A newer release's template stays; an
 * older release still running would just build its own again.
 */
export async function dropStaleTemplates(
  deps: Pick<ProvisionDeps, "servers" | "defaults" | "migrations">,
): Promise<string[]> {
  const version = latestVersion(await tenantMigrations(deps));
  if (!version) return [];
  const prefix = deps.defaults?.hostDatabasePrefix ?? DEFAULT_HOST_DATABASE_PREFIX;
  const dropped: string[] = [];
  for (const [server, url] of Object.entries(deps.servers)) {
    // Housekeeping only: a server that cannot be reached now is tidied by the next run.
    for (const name of await dropTemplates(url, prefix, version).catch(() => [])) dropped.push(`${name}@${server}`);
  }
  return dropped;
}
