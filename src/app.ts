// Wires the pieces of one running service from a configuration and a central database URL.
// main.ts adds the embedded server, the demo and the HTTP listener; tests call this directly.
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { createAccounts, type Accounts } from "./accounts/accounts.ts";
import type { LoginThrottleOptions } from "./accounts/login-throttle.ts";
import type { RefreshTokenReuseHook } from "./accounts/sessions.ts";
import { refusingRevokedSessions } from "./auth/session-check.ts";
import { createTokenVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { CENTRAL_POOL_SIZE, createCentralClient, type CentralDb } from "./data/central-client.ts";
import { CentralListener } from "./data/central-notifications.ts";
import { latestVersion, loadMigrations, type Migration } from "./data/migrator.ts";
import { fleetCounts } from "./data/fleet-counts.ts";
import { loadPersistedOperations } from "./http/persisted-operations.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import { operationNamesIn } from "./metrics/operation-labels.ts";
import { watchFleet } from "./metrics/tenancy-metrics.ts";
import { VERSION } from "./version.ts";
import { startActivityFlusher, type ActivityFlusher } from "./monitoring/activity-flusher.ts";
import type { QueryListener } from "./data/tenant-client.ts";
import { createLifecycle, type Lifecycle } from "./lifecycle/deps.ts";
import { createGraphQLServer, type GraphQLServer } from "./http/server.ts";
import { createLimitStore, LIMITS_POOL_SIZE, type LimitStore } from "./data/limit-store.ts";
import { createOrgQuotas } from "./limits/org-quotas.ts";
import type { OrgClientCache } from "./tenancy/org-client-cache.ts";
import { createOrgClientCache } from "./tenancy/org-clients.ts";
import { followOrgEvents } from "./tenancy/follow-org-events.ts";
import { OrgHostDirectory } from "./tenancy/org-hosts.ts";
import type { TxtResolver } from "./accounts/org-host-names.ts";
import type { PasswordResetHook } from "./accounts/password-reset.ts";
import { createLogger } from "./logger.ts";
import { RouteCache } from "./tenancy/route-cache.ts";

export interface App {
  config: Config;
  logger: Logger;
  central: CentralDb;
  servers: Record<string, string>;
  /** What lifecycle operations (provision, migrate, delete, export) need. */
  lifecycle: Lifecycle;
  orgClients: OrgClientCache;
  /** Placements and memberships this process knows (stats() for metrics). */
  routes: RouteCache;
  /** Rate-limit counters shared by every process (central database or Redis). */
  limitStore: LimitStore;
  /** Events from other processes (LISTEN on the central database). */
  centralEvents: CentralListener;
  yoga: GraphQLServer;
  /** The account services (tests read the outbox after `accounts.drain()`). */
  accounts: Accounts;
  /** Prometheus metrics of this app (served at /metrics, or by main.ts on METRICS_PORT). */
  metrics: Metrics;
  /** Writes this process's per-organization figures to the central database each interval. */
  orgActivity?: ActivityFlusher;
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
  /** A used refresh token was presented again and its session revoked (the audit log records it). */
  onRefreshTokenReused?: RefreshTokenReuseHook;
  /** Tenant migrations this code needs (default: prisma/tenant/migrations); tests pass their own. */
  tenantMigrations?: Migration[];
  /** DNS TXT look-ups that verify custom domains (default: the system resolver); tests pass their own. */
  txtResolver?: TxtResolver;
  /** Run inside each password reset's transaction (where the user's sessions end). */
  onPasswordReset?: PasswordResetHook[];
}

export async function createApp(config: Config, centralUrl: string, hooks: AppHooks = {}): Promise<App> {
  const log = hooks.logger ?? createLogger(config.logLevel);
  const central = createCentralClient(centralUrl, undefined, hooks.onCentralQuery);
  const lifecycle = await createLifecycle(config, central, centralUrl, hooks.tenantMigrations);
  const centralEvents = new CentralListener(centralUrl, {
    onError: (err, context) => log.warn({ err }, `central events: ${context}`),
  });
  // Changes this process commits apply here at once; the NOTIFY tells the other processes.
  lifecycle.announce = (event) => centralEvents.deliverLocally(event);
  const routes = new RouteCache({ ...config.routeCache, listening: () => centralEvents.listening });
  const { servers, appRole, migrations } = lifecycle;
  const traceSql: QueryListener | undefined = log.isLevelEnabled("trace")
    ? (sql, ms) => log.trace({ sql, ms }, "org sql")
    : undefined;
  const observe = config.observe;
  const metrics = createMetrics({
    knownOperations: persistedOperationNames(config.http.persistedOperationsFile),
    maxOperations: observe.metrics.maxOperations,
    orgSlugs: observe.metrics.orgSlugs,
    topOrgs: observe.metrics.topOrgs,
    maxFlaggedOrgs: observe.metrics.maxFlaggedOrgs,
  });
  const requiredSchemaVersion = latestVersion(migrations);
  // The placement and membership cache (src/tenancy/route-cache.ts): tenantgraph_central_cache_*{cache="routes"}.
  metrics.registerCacheCounts("routes", () => routes.stats());
  watchFleet(metrics, () => fleetCounts(central, requiredSchemaVersion));
  // The central database's connections (its client, the limits pool, the LISTEN connection)
  // are on server "main": they count in that server's budget, before any organization's.
  const centralConnections = CENTRAL_POOL_SIZE + LIMITS_POOL_SIZE + 1;
  const orgClients = createOrgClientCache(
    {
      ...config.orgClients,
      reservedConnections: { main: centralConnections },
      appRole,
      onQuery: hooks.onOrgQuery ?? traceSql,
      metrics,
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
  const accounts = createAccounts({
    central,
    lifecycle,
    auth: config.auth,
    accounts: config.accounts,
    graphqlUrl: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}/graphql`,
    hostSuffix: config.orgHosts.suffix,
    limitStore,
    loginThrottle,
    log,
    txtResolver: hooks.txtResolver,
    // Every session of the user ends inside each reset (src/accounts/accounts.ts); these run after it.
    onPasswordReset: hooks.onPasswordReset ?? [],
    onRefreshTokenReused: hooks.onRefreshTokenReused,
  });
  const orgHosts = new OrgHostDirectory(central, config.orgHosts.header);
  const yoga = createGraphQLServer({
    central,
    accounts,
    orgHosts,
    rateLimits: { store: limitStore, limits, orgQuotas },
    orgClients,
    routes,
    servers,
    requiredSchemaVersion,
    verifyToken: refusingRevokedSessions(await createTokenVerifier(config.auth), accounts.revokedSessions),
    logger: log,
    limits: config.limits,
    http: config.http,
    metrics: observe.metrics.enabled ? metrics : undefined,
    // With METRICS_PORT, main.ts serves /metrics on its own listener.
    metricsEndpoint: { serve: observe.metrics.port === undefined, token: observe.metrics.token },
    version: VERSION,
    centralVersion: latestVersion(await loadMigrations("central")),
  });
  // Subscribed before listening: the "resync" after a failed first connect must find them.
  followOrgEvents(centralEvents, { clients: orgClients, routes, central, servers });
  await centralEvents.startOrRetry();
  // Without metrics nothing records per-organization figures: no flusher either.
  const orgActivity = observe.metrics.enabled ? startActivityFlusher(central, metrics, observe, log) : undefined;
  // Revoked sessions, here or by any other process: their access tokens are refused at once.
  const revokedSessions = accounts.revokedSessions;
  revokedSessions.follow(centralEvents, (err) => log.warn({ err }, "revoked sessions: reload failed"));
  await revokedSessions.reload().catch((err: unknown) => log.warn({ err }, "revoked sessions: first load failed"));
  // Host names changed (org-changed), here or in another process: the host directory follows.
  orgHosts.follow(centralEvents);
  return {
    config,
    logger: log,
    central,
    servers,
    lifecycle,
    orgClients,
    routes,
    limitStore,
    centralEvents,
    yoga,
    accounts,
    metrics,
    orgActivity,
    async close() {
      await orgActivity?.stop();
      await accounts.close();
      await centralEvents.close();
      await orgClients.close();
      await limitStore.close();
      await central.$disconnect();
    },
  };
}

/** The persisted operations' names (always labelled in the metrics); none when the file was not generated. */
function persistedOperationNames(file: string): Set<string> {
  return existsSync(file) ? operationNamesIn(loadPersistedOperations(file).values()) : new Set();
}
