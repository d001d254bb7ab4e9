// One parsed, validated configuration. Everything configurable is read here, once, from the
// environment; the rest of the code receives a Config and never reads process.env itself.
// The pieces live in src/config/: the variables (env-schema.ts), the types, each area's
// builder; this file assembles them and is the one path every importer uses.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { limitsConfig } from "./rate-limits-config.ts";
import { observeConfig } from "./observe-config.ts";
import {
  accountsConfig,
  authConfig,
  httpConfig,
  isTrue,
  operationLimits,
  orgClientsConfig,
} from "./config/area-configs.ts";
import type { Config } from "./config/config-type.ts";
import { Env } from "./config/env-schema.ts";
import { ConfigError, parseServers } from "./config/json-records.ts";

export type { AccountsConfig, AuthConfig, OperationLimits, OrgHostsConfig } from "./config/area-types.ts";
export type { Config } from "./config/config-type.ts";
export { CONFIG_ENV_KEYS } from "./config/env-schema.ts";
export { ConfigError } from "./config/json-records.ts";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const servers = parseServers(e.SERVERS);
  const auth = authConfig(e);
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    servers,
    dataDir: path.resolve(PROJECT_ROOT, e.DATA_DIR ?? ".tenantgraph"),
    auth,
    orgClients: orgClientsConfig(e),
    routeCache: { maxEntries: e.ROUTE_CACHE_SIZE, ttlMs: e.ROUTE_CACHE_TTL_SECONDS * 1000 },
    appRole: { name: e.APP_DB_ROLE, password: e.APP_DB_PASSWORD },
    defaults: { tier: e.DEFAULT_TIER, server: e.DEFAULT_SERVER, hostDatabasePrefix: e.HOST_DATABASE_PREFIX },
    moveKeepSourceHours: e.MOVE_KEEP_SOURCE_HOURS,
    logLevel: e.LOG_LEVEL,
    rateLimits: limitsConfig(e),
    seedDemo: e.SEED_DEMO === undefined ? e.DATABASE_URL === undefined : isTrue(e.SEED_DEMO),
    limits: operationLimits(e),
    http: httpConfig(e, PROJECT_ROOT),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    accounts: accountsConfig(e),
    orgHosts: { suffix: e.ORG_HOST_SUFFIX, header: e.ORG_HOST_HEADER },
    observe: observeConfig(e),
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
  };
}

/** The server list with "main" pointing at the central database's server. */
export function withMainServer(config: Config, centralUrl: string): Record<string, string> {
  return { ...config.servers, main: centralUrl };
}
