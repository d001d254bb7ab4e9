// Wires the pieces of one running service from a configuration and a central database URL.
// main.ts adds the embedded server, the demo and the HTTP listener; tests call this directly.
import pino, { type Logger } from "pino";
import { createAccounts } from "./accounts/accounts.ts";
import type { LoginThrottleOptions } from "./accounts/login-throttle.ts";
import { createTokenVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { ConfigError, withMainServer } from "./config.ts";
import { createCentralClient, type CentralDb } from "./data/central-client.ts";
import { CentralListener } from "./data/central-notifications.ts";
import { latestVersion, loadMigrations, migrateDatabase, type Migration } from "./data/migrator.ts";
import type { LifecycleDeps } from "./lifecycle/targets.ts";
import type { QueryListener } from "./data/tenant-client.ts";
import { withPgClient } from "./data/server-admin.ts";
import { createGraphQLServer, type GraphQLServer } from "./http/server.ts";
import type { OrgClientCache } from "./tenancy/org-client-cache.ts";
import { createOrgClientCache } from "./tenancy/org-clients.ts";
import { followOrgEvents } from "./tenancy/follow-org-events.ts";

export interface App {
  config: Config;
  logger: Logger;
  central: CentralDb;
  servers: Record<string, string>;
  /** What lifecycle operations (provision, migrate, delete, export) need. */
  lifecycle: LifecycleDeps & { defaults: Config["defaults"] };
  orgClients: OrgClientCache;
  /** Events from other processes (LISTEN on the central database). */
  centralEvents: CentralListener;
  yoga: GraphQLServer;
  close(): Promise<void>;
}

/** Applies pending central migrations (each in its own transaction). */
export async function migrateCentral(centralUrl: string): Promise<string[]> {
  const migrations = await loadMigrations("central");
  return withPgClient(centralUrl, async (c) => (await migrateDatabase(c, migrations)).applied);
}

export interface AppHooks {
  logger?: Logger;
  /** Every SQL statement sent to an organization database (tests count them). */
  onOrgQuery?: QueryListener;
  /** Every SQL statement sent to the central database (tests count them). */
  onCentralQuery?: QueryListener;
  /** Login throttling (default: 5 attempts per email per 15 minutes). */
  loginThrottle?: LoginThrottleOptions;
  /** Tenant migrations this code needs (default: prisma/tenant/migrations); tests pass their own. */
  tenantMigrations?: Migration[];
}

export async function createApp(config: Config, centralUrl: string, hooks: AppHooks = {}): Promise<App> {
  const log = hooks.logger ?? pino({ level: config.logLevel });
  const central = createCentralClient(centralUrl, undefined, hooks.onCentralQuery);
  const servers = withMainServer(config, centralUrl);
  const traceSql: QueryListener | undefined = log.isLevelEnabled("trace") ? (sql, ms) => log.trace({ sql, ms }, "org sql") : undefined;
  if (!config.appRole.password) throw new ConfigError("APP_DB_PASSWORD is not set (npm start generates one for local use)");
  const appRole = { name: config.appRole.name, password: config.appRole.password };
  const migrations = hooks.tenantMigrations ?? (await loadMigrations("tenant"));
  const orgClients = createOrgClientCache(
    { ...config.orgClients, appRole, onQuery: hooks.onOrgQuery ?? traceSql },
    (event, key) => log.debug({ key }, `org client ${event}`),
  );
  const lifecycle = { central, servers, appRole, migrations, defaults: config.defaults };
  const yoga = createGraphQLServer({
    central,
    accounts: createAccounts({ central, lifecycle, auth: config.auth, loginThrottle: hooks.loginThrottle }),
    orgClients,
    servers,
    requiredSchemaVersion: latestVersion(migrations),
    verifyToken: await createTokenVerifier(config.auth),
    logger: log,
  });
  const centralEvents = new CentralListener(centralUrl, { onError: (err, context) => log.warn({ err }, `central events: ${context}`) });
  await centralEvents.startOrRetry();
  // A deleted organization (here or by `tenantgraph orgs delete` elsewhere): drop its clients.
  followOrgEvents(centralEvents, orgClients, central);
  return {
    config,
    logger: log,
    central,
    servers,
    lifecycle,
    orgClients,
    centralEvents,
    yoga,
    async close() {
      await centralEvents.close();
      await orgClients.close();
      await central.$disconnect();
    },
  };
}
