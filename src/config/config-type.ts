// The whole parsed configuration, as loadConfig (src/config.ts) returns it and the rest of the
// code receives it. src/config.ts re-exports it.
import type { Tier } from "../data/generated/central/enums.ts";
import type { LimitsConfig } from "../rate-limits-config.ts";
import type { ObserveConfig } from "../observe-config.ts";
import type { AccountsConfig, AuthConfig, OperationLimits, OrgHostsConfig } from "./area-types.ts";

export interface Config {
  host: string;
  port: number;
  /** Central database URL; when missing an embedded PostgreSQL is started in dataDir. */
  databaseUrl?: string;
  /**
   * PostgreSQL servers that hold organization data, by name. "main" is always the central
   * database's server; SERVERS adds others as JSON ({"eu-2": "postgresql://..."}).
   */
  servers: Record<string, string>;
  dataDir: string;
  auth: AuthConfig;
  orgClients: {
    /** How many organizations' clients stay cached (LRU). */
    maxClients: number;
    /** Connections per DATABASE-tier organization pool. */
    poolSize: number;
    /** Connections per shared pool (one per SCHEMA host database and per SHARED database). */
    sharedPoolSize: number;
    /** Connections this process may open per server (keep it below max_connections). */
    serverBudget: number;
    /** How long a cold organization waits for budget before TENANT_BUSY (ms). */
    busyWaitMs: number;
    /** PostgreSQL statement_timeout of every organization-data connection (ms; 0 = none). */
    statementTimeoutMs: number;
    /**
     * A connection pooler (PgBouncer, transaction mode) in front of a server, by server name:
     * "host:port". The SCHEMA and SHARED tiers' request connections go through it.
     */
    poolers: Record<string, string>;
  };
  /** Placements and memberships cached per process (src/tenancy/route-cache.ts); maxEntries 0 = off. */
  routeCache: { maxEntries: number; ttlMs: number };
  /**
   * The role SHARED-tier requests connect as: owns nothing, cannot bypass row-level security.
   * Created on each server by provisioning. The password is generated locally when not set.
   */
  appRole: { name: string; password?: string };
  /**
   * Where new organizations go unless told otherwise, and the names of the databases that
   * host many organizations on each server (<prefix>_schemas, <prefix>_shared).
   */
  defaults: { tier: Tier; server: string; hostDatabasePrefix: string };
  /** How long a moved organization's source is kept before `orgs move --cleanup` removes it (hours). */
  moveKeepSourceHours: number;
  logLevel: string;
  /** Rate limits and quotas, and the store every process counts in (src/rate-limits-config.ts). */
  rateLimits: LimitsConfig;
  /** Create the demo organizations and print tokens on start (default: only with the embedded server). */
  seedDemo: boolean;
  /** Limits applied before work, to every request (src/http/operation-limits.ts). */
  limits: OperationLimits;
  http: {
    /** Origins allowed to call the API from a browser; [] = same origin only, ["*"] = any. */
    corsOrigins: string[];
    /** Answer __schema / __type queries (GraphiQL needs them). */
    introspection: boolean;
    /** Accept only the operations listed in persistedOperationsFile, by hash. */
    persistedOperationsOnly: boolean;
    persistedOperationsFile: string;
    /** How operations run: compiled by graphql-jit (default) or interpreted by graphql-js (src/http/use-compiled-execution.ts). */
    executor: "jit" | "graphql-js";
  };
  accounts: AccountsConfig;
  orgHosts: OrgHostsConfig;
  /** On SIGTERM/SIGINT: how long requests in flight may take to finish before they are cut off (ms). */
  shutdownGraceMs: number;
  /** Metrics, per-organization figures and thresholds (src/observe-config.ts). */
  observe: ObserveConfig;
  /** Audit records older than this are removed by `tenantgraph audit prune` (README "Audit log"). */
  audit: { retentionDays: number };
}
