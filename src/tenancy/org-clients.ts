// The OrgClientCache a server uses: one way of building a client per isolation tier, the
// servers' shared pools, and one connection budget per server.
import {
  createDatabaseTierClient,
  createSchemaTierClient,
  scopeToOrganization,
  type QueryListener,
} from "../data/tenant-client.ts";
import { ConnectionBudget } from "./connection-budget.ts";
import { OrgClientCache, type OrgClientCacheOptions } from "./org-client-cache.ts";
import { rolePassword, roleUrl, type AppRole } from "../data/request-roles.ts";
import { roleScopedPool } from "./role-scoped-pool.ts";
import { ServerPools } from "./server-pools.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { watchTenancy } from "../metrics/tenancy-metrics.ts";

export interface OrgClientSettings {
  maxClients: number;
  /** Connections per DATABASE-tier organization pool. */
  poolSize: number;
  /** Connections per shared pool (SCHEMA host database, SHARED database) per server. */
  sharedPoolSize: number;
  /** Connections this process may open per server. */
  serverBudget: number;
  busyWaitMs: number;
  /** PostgreSQL statement_timeout of every organization connection (ms; 0 or absent = none). */
  statementTimeoutMs?: number;
  appRole: AppRole;
  onQuery?: QueryListener;
  /** Where the cache, budgets and shared pools are reported (scraped, not pushed). */
  metrics?: Metrics;
}

/** The cache the server uses: a client per tier, each checked with one round trip before first use. */
export function createOrgClientCache(
  settings: OrgClientSettings,
  onEvent?: OrgClientCacheOptions["onEvent"],
): OrgClientCache {
  const budget = new ConnectionBudget(settings.serverBudget);
  const pools = new ServerPools({
    poolSize: settings.sharedPoolSize,
    appRole: settings.appRole,
    budget,
    onQuery: settings.onQuery,
    statementTimeoutMs: settings.statementTimeoutMs,
  });
  const cache = new OrgClientCache({
    maxClients: settings.maxClients,
    budget,
    busyWaitMs: settings.busyWaitMs,
    connectionsFor: (datasource) => (datasource.tier === "DATABASE" ? settings.poolSize : 0),
    createClient: (datasource) => {
      switch (datasource.tier) {
        case "DATABASE": {
          // Connected as the organization's own role: its tables, nothing else (request-roles.ts).
          const role = datasource.database;
          const connectionString = roleUrl(datasource.url, role, rolePassword(settings.appRole, role));
          return createDatabaseTierClient({
            connectionString,
            poolSize: settings.poolSize,
            onQuery: settings.onQuery,
            statementTimeoutMs: settings.statementTimeoutMs,
          });
        }
        case "SCHEMA":
          // The shared pool, switched to the organization's role in every transaction.
          return createSchemaTierClient(
            roleScopedPool(pools.schemaPool(datasource), datasource.schema!),
            datasource.schema!,
            settings.onQuery,
          );
        case "SHARED":
          // Nothing to close per organization: the base client and its pool belong to the server.
          return { db: scopeToOrganization(pools.sharedBase(datasource), datasource.orgId), close: async () => {} };
      }
    },
    verifyClient: async (db) => {
      await db.$queryRaw`SELECT 1`;
    },
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
