// The OrgClientCache a server uses: one way of building a client per isolation tier, the
// servers' shared pools, and one connection budget per server.
import {
  inOrganizationSchema,
  scopeToOrganization,
  scopeToOrgPool,
  type QueryListener,
} from "../data/tenant-client.ts";
import { BudgetedPool } from "./budgeted-pool.ts";
import { ConnectionBudget } from "./connection-budget.ts";
import { OrgClientCache, type OrgClientCacheOptions } from "./org-client-cache.ts";
import { rolePassword, roleUrl, type AppRole } from "../data/request-roles.ts";
import { roleScopedPool } from "./role-scoped-pool.ts";
import { ServerPools } from "./server-pools.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { watchTenancy } from "../metrics/tenancy-metrics.ts";

export interface OrgClientSettings {
  maxClients: number;
  /** Most connections per DATABASE-tier organization pool (each opened only while the budget has room). */
  poolSize: number;
  /** Connections per shared pool (SCHEMA host database, SHARED database) per server. */
  sharedPoolSize: number;
  /** Connections this process may open per server. */
  serverBudget: number;
  /** Connections this process holds outside the cache, by server (the central database's pools). */
  reservedConnections?: Record<string, number>;
  busyWaitMs: number;
  /** PostgreSQL statement_timeout of every organization connection (ms; 0 or absent = none). */
  statementTimeoutMs?: number;
  /** "host:port" of a PgBouncer in front of a server, by server name (SCHEMA and SHARED tiers). */
  poolers?: Record<string, string>;
  appRole: AppRole;
  onQuery?: QueryListener;
  /** Where the cache, budgets and shared pools are reported (scraped, not pushed). */
  metrics?: Metrics;
}

/**
 * How long a connection a busy organization opened beyond its first stays idle. Long: a cold
 * organization that needs the room makes it close at once (shedIdle), so keeping it costs
 * nothing, and closing it early would only mean reconnecting at the next burst.
 */
const EXTRA_CONNECTION_IDLE_MS = 60_000;

/** The cache the server uses: a client per tier, each readied (engine started, connection checked) before first use. */
export function createOrgClientCache(
  settings: OrgClientSettings,
  onEvent?: OrgClientCacheOptions["onEvent"],
): OrgClientCache {
  const budget = new ConnectionBudget(settings.serverBudget);
  for (const [server, connections] of Object.entries(settings.reservedConnections ?? {}))
    budget.forceReserve(server, connections);
  const pools = new ServerPools({
    poolSize: settings.sharedPoolSize,
    appRole: settings.appRole,
    budget,
    onQuery: settings.onQuery,
    statementTimeoutMs: settings.statementTimeoutMs,
    poolers: settings.poolers,
  });
  const cache = new OrgClientCache({
    maxClients: settings.maxClients,
    budget,
    busyWaitMs: settings.busyWaitMs,
    // A DATABASE-tier organization is admitted with one connection; it grows by budget (BudgetedPool).
    connectionsFor: (datasource) => (datasource.tier === "DATABASE" ? 1 : 0),
    createClient: (datasource) => {
      switch (datasource.tier) {
        case "DATABASE": {
          // Connected as the organization's own role: its tables, nothing else (request-roles.ts).
          const role = datasource.database;
          const pool = new BudgetedPool({
            connectionString: roleUrl(datasource.url, role, rolePassword(settings.appRole, role)),
            max: settings.poolSize,
            // The connection it was admitted with (reserved by the cache) stays open while it
            // is cached; the ones it grew while busy close after a minute idle, or when needed elsewhere.
            min: 1,
            idleTimeoutMillis: EXTRA_CONNECTION_IDLE_MS,
            statement_timeout: settings.statementTimeoutMs || undefined,
            budget,
            server: datasource.server,
            floor: 1,
          });
          // An idle connection the server dropped must not crash the process (no Prisma client owns this pool).
          pool.on("error", () => {});
          // A view of the process's one DATABASE-tier client: no Prisma client (nor query compiler) per organization.
          return {
            db: scopeToOrgPool(pools.tierBase("DATABASE"), pool),
            close: () => pool.end(),
            // Opening the first connection is the check: it stays open while the client is cached.
            prepare: async () => {
              await Promise.all([
                pools.tierReady("DATABASE"),
                pool.connect().then((connection) => connection.release()),
              ]);
            },
          };
        }
        case "SCHEMA": {
          // The server's shared pool, switched to the organization's role in every transaction
          // and naming its schema: a view of the process's one SCHEMA-tier client.
          const schema = datasource.schema!;
          const pool = roleScopedPool(pools.schemaPool(datasource), schema, inOrganizationSchema(schema));
          return {
            db: scopeToOrgPool(pools.tierBase("SCHEMA"), pool),
            close: async () => {},
            // Switching to the organization's role must work (its first statement, side by side with the engine).
            prepare: async () => {
              await Promise.all([pools.tierReady("SCHEMA"), pool.query("SELECT 1")]);
            },
          };
        }
        case "SHARED":
          // Nothing to close per organization: the base client and its pool belong to the server.
          return {
            db: scopeToOrganization(pools.sharedBase(datasource), datasource.orgId),
            close: async () => {},
            prepare: () => pools.sharedReady(datasource),
          };
      }
    },
    prepareClient: (handle) => handle.prepare(),
    onEvent,
    onClose: () => pools.close(),
  });
  if (settings.metrics)
    watchTenancy(settings.metrics, {
      clientsCached: () => cache.size,
      clientStats: () => cache.stats,
      budget: () => ({ capacity: budget.capacity, used: budget.usage(), waiting: budget.waiting }),
      sharedPools: () => pools.usage(),
    });
  return cache;
}
