// What every lifecycle operation needs, built once from the configuration: by app.ts for the
// running server (self-service createOrganization, the demo) and by the CLI for operator
// commands, so both provision, migrate and delete with the same servers, role and migrations.
import { ConfigError, withMainServer, type Config } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import { latestVersion, loadMigrations, type Migration } from "../data/migrator.ts";
import type { LifecycleDeps } from "./targets.ts";

export interface Lifecycle extends LifecycleDeps {
  migrations: Migration[];
  defaults: Config["defaults"];
}

/** `migrations` defaults to prisma/tenant/migrations; tests pass their own. */
export async function createLifecycle(
  config: Config,
  central: CentralDb,
  centralUrl: string,
  migrations?: Migration[],
): Promise<Lifecycle> {
  if (!config.appRole.password)
    throw new ConfigError("APP_DB_PASSWORD is not set (npm start generates one for local use)");
  const tenantMigrations = migrations ?? (await loadMigrations("tenant"));
  if (!latestVersion(tenantMigrations)) throw new Error("no tenant migrations found");
  return {
    central,
    servers: withMainServer(config, centralUrl),
    appRole: {
      name: config.appRole.name,
      password: config.appRole.password,
      statementTimeoutMs: config.orgClients.statementTimeoutMs,
    },
    migrations: tenantMigrations,
    defaults: config.defaults,
  };
}
