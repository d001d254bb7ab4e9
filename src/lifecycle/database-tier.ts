// The DATABASE tier's first step: the organization's own database, a copy of the server's
// pre-migrated template (data/database-templates.ts), so only what is the organization's
// own is left for the next step: its role, its grants, its version recorded centrally
// (targets.ts migrateTarget finds every migration applied already and only secures it).
// The result is the database the migrations alone would have made (test/lifecycle/
// database-template.test.ts compares them).
import { ensureDatabaseFrom, templateFor } from "../data/database-templates.ts";
import { migrateDatabase } from "../data/migrator.ts";
import { serverUrlOf } from "../data/placement.ts";
import { ensureDatabase, withPgClient } from "../data/server-admin.ts";
import { DEFAULT_HOST_DATABASE_PREFIX } from "./provision-input.ts";
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
