// Wires the pieces of one running service from a configuration and a central database URL.
// main.ts adds the embedded server, the demo and the HTTP listener; tests call this directly.
import pino, { type Logger } from "pino";
import { createAccounts } from "./accounts/accounts.ts";
import type { LoginThrottleOptions } from "./accounts/login-throttle.ts";
import { createTokenVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { CENTRAL_POOL_SIZE, createCentralClient, type CentralDb } from "./data/central-client.ts";
import { CentralListener } from "./data/central-notifications.ts";
import { latestVersion, type Migration } from "./data/migrator.ts";
import type { QueryListener } from "./data/tenant-client.ts";
import { createLifecycle, type Lifecycle } from "./lifecycle/deps.ts";
import { createGraphQLServer, type GraphQLServer } from "./http/server.ts";
import { createLimitStore, LIMITS_POOL_SIZE, type LimitStore } from "./data/limit-store.ts";
import { createOrgQuotas } from "./limits/org-quotas.ts";
import type { OrgClientCache } from "./tenancy/org-client-cache.ts";
import { createOrgClientCache } from "./tenancy/org-clients.ts";
import { followOrgEvents } from "./tenancy/follow-org-events.ts";

export interface App {
  config: Config;
  logger: Logger;
  central: CentralDb;
  servers: Record<string, string>;
  /** What lifecycle operations (provision, migrate, delete, export) need. */
  lifecycle: Lifecycle;
  orgClients: OrgClientCache;
  /** Rate-limit counters shared by every process (central database or Redis). */
  limitStore: LimitStore;
  /** Events from other processes (LISTEN on the central database). */
  centralEvents: CentralListener;
  yoga: GraphQLServer;
  close(): Promise<void>;
}

export interface AppHooks {
  logger?: Logger;
  /** Every SQL statement sent to an organization database (tests count them). */
  onOrgQuery?: QueryListener;
  /** Every SQL statement sent to the central database (tests count them). */
  onCentralQuery?: QueryListener;
  /** Login throttling (default: LOGIN_ATTEMPTS_PER_EMAIL attempts per email per 15 minutes). */
  loginThrottle?: LoginThrottleOptions;
  /** Tenant migrations this code needs (default: prisma/tenant/migrations); tests pass their own. */
  tenantMigrations?: Migration[];
}

export async function createApp(config: Config, centralUrl: string, hooks: AppHooks = {}): Promise<App> {
  const log = hooks.logger ?? pino({ level: config.logLevel });
  const central = createCentralClient(centralUrl, undefined, hooks.onCentralQuery);
  const lifecycle = await createLifecycle(config, central, centralUrl, hooks.tenantMigrations);
  const { servers, appRole, migrations } = lifecycle;
  const traceSql: QueryListener | undefined = log.isLevelEnabled("trace")
    ? (sql, ms) => log.trace({ sql, ms }, "org sql")
    : undefined;
  // The central database's connections (its client, the limits pool, the LISTEN connection)
  // are on server "main": they count in that server's budget, before any organization's.
  const centralConnections = CENTRAL_POOL_SIZE + LIMITS_POOL_SIZE + 1;
  const orgClients = createOrgClientCache(
    {
      ...config.orgClients,
      reservedConnections: { main: centralConnections },
      appRole,
      onQuery: hooks.onOrgQuery ?? traceSql,
    },
    (event, key) => log.debug({ key }, `org client ${event}`),
  );
  const limits = config.rateLimits;
  const limitStore = await createLimitStore(limits, centralUrl, (error) =>
    log.warn({ err: error }, "rate limit store connection error"),
  );
  const orgQuotas = createOrgQuotas(
    limitStore,
    { requestsPerSecond: limits.orgRequestsPerSecond, costPerMinute: limits.orgCostPerMinute },
    limits.orgLimitsCacheSeconds,
  );
  const loginThrottle = hooks.loginThrottle ?? { maxAttempts: limits.logInAttemptsPerEmail, windowMs: 15 * 60_000 };
  const yoga = createGraphQLServer({
    central,
    accounts: createAccounts({ central, lifecycle, auth: config.auth, limitStore, loginThrottle }),
    rateLimits: { store: limitStore, limits, orgQuotas },
    orgClients,
    servers,
    requiredSchemaVersion: latestVersion(migrations),
    verifyToken: await createTokenVerifier(config.auth),
    logger: log,
    limits: config.limits,
    http: config.http,
  });
  const centralEvents = new CentralListener(centralUrl, {
    onError: (err, context) => log.warn({ err }, `central events: ${context}`),
  });
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
    limitStore,
    centralEvents,
    yoga,
    async close() {
      await centralEvents.close();
      await orgClients.close();
      await limitStore.close();
      await central.$disconnect();
    },
  };
}
