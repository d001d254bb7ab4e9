// One parsed, validated configuration. Everything configurable is read here, once, from the
// environment; the rest of the code receives a Config and never reads process.env itself.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Tier } from "./data/generated/central/enums.ts";
import { LIMITS_ENV, limitsConfig, type LimitsConfig } from "./rate-limits-config.ts";
import { OBSERVE_ENV, observeConfig, type ObserveConfig } from "./observe-config.ts";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface AuthConfig {
  /** HS256 secret for local use; generated and persisted in dataDir when neither it nor a JWKS is configured. */
  secret?: string;
  /** Public keys for asymmetric tokens (production): a JWKS file path or an https URL. */
  jwksFile?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  /** Lifetime of tokens this server signs outside a session (demo tokens, tests), in seconds. */
  tokenTtlSeconds: number;
  /**
   * Lifetime of a session's access tokens, in seconds: also the longest a revoked session's
   * token stays usable on a process that missed the revocation event (README "Sessions").
   */
  accessTokenTtlSeconds: number;
  /** A session ends when its refresh token is not used for this long (each refresh restarts it). */
  refreshTokenTtlSeconds: number;
  /** JWKS_URL: how often an unknown `kid` may trigger a refetch, and how long keys are kept when the server says nothing. */
  jwks: { cooldownSeconds: number; defaultMaxAgeSeconds: number };
}

/** Accounts: email verification, password reset and the mail that carries their links. */
export interface AccountsConfig {
  /** Unverified accounts may log in but not create organizations or be added to one. */
  requireVerifiedEmail: boolean;
  verificationTtlMinutes: number;
  passwordResetTtlMinutes: number;
  mail: {
    /** smtp(s)://user:pass@host:port: deliver through it (nodemailer); without it the outbox and log are the delivery. */
    smtpUrl?: string;
    from: string;
    /** Print account links in the log (the embedded/dev default, so a developer can click them). */
    logLinks: boolean;
    /**
     * Links in mails are `<linkUrl>/<action>?token=...` (action: verify-email, reset-password).
     * Unset: a GraphiQL link on this server with the mutation filled in.
     */
    linkUrl?: string;
  };
}

/** Organizations selected by the request's host name (src/tenancy/org-hosts.ts). */
export interface OrgHostsConfig {
  /** `app.example`: an organization may take `<subdomain>.app.example` at creation. */
  suffix?: string;
  /** Which header names the host: `host`, or `x-forwarded-host` behind a proxy that sets it. */
  header: "host" | "x-forwarded-host";
}

/** Limits applied before work, to every request (enforced by src/http/operation-limits.ts). */
export interface OperationLimits {
  /** Request body bytes (413 above). */
  maxBodyBytes: number;
  /** Lexical tokens of a document (names, punctuation, values; comments and whitespace are free). */
  maxTokens: number;
  /** Nested selection depth (introspection's __schema excluded). */
  maxDepth: number;
  /** Aliased fields in an operation (__typename aliases free). */
  maxAliases: number;
  /** Directives in an operation. */
  maxDirectives: number;
  /** Estimated cost of one operation (see src/graphql/field-complexity.ts). */
  maxCost: number;
  /** Parsed documents kept (parse/validation cache entries). */
  parseCacheEntries: number;
  /** Estimated bytes the parse cache may hold (a document larger than a tenth of it is never cached). */
  parseCacheBytes: number;
}

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

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const optional = z
  .string()
  .trim()
  .min(1)
  .optional()
  .or(z.literal("").transform(() => undefined));

const Env = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: int(4000, 0),
  DATABASE_URL: optional.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  SERVERS: optional,
  POOLERS: optional,
  DATA_DIR: optional,
  JWT_SECRET: optional.pipe(z.string().min(32, "JWT_SECRET must be at least 32 characters").optional()),
  JWKS_FILE: optional,
  JWKS_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  JWT_ISSUER: z.string().default("tenantgraph"),
  JWT_AUDIENCE: z.string().default("tenantgraph-api"),
  JWT_ALGORITHMS: optional,
  TOKEN_TTL_SECONDS: int(12 * 3600),
  ACCESS_TOKEN_TTL_SECONDS: int(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600),
  JWKS_COOLDOWN_SECONDS: int(30, 0),
  JWKS_CACHE_SECONDS: int(600),
  ORG_CLIENT_CACHE_SIZE: int(100),
  ORG_POOL_SIZE: int(5),
  SHARED_POOL_SIZE: int(10),
  SERVER_CONNECTION_BUDGET: int(80),
  TENANT_BUSY_WAIT_MS: int(2000, 0),
  // Placement and membership cache per process (README "Routing and caching").
  ROUTE_CACHE_SIZE: int(10_000, 0),
  ROUTE_CACHE_TTL_SECONDS: int(300, 0),
  APP_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "APP_DB_ROLE must be a plain lower-case identifier")
    .default("tenantgraph_app"),
  APP_DB_PASSWORD: optional,
  DEFAULT_TIER: z.enum(Tier).default("DATABASE"),
  DEFAULT_SERVER: z.string().default("main"),
  HOST_DATABASE_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, "HOST_DATABASE_PREFIX must be a plain lower-case identifier")
    .default("tenantgraph"),
  MOVE_KEEP_SOURCE_HOURS: int(24, 0),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SEED_DEMO: z.enum(["true", "false", "1", "0"]).optional(),
  // Limits before work (README "Production checklist"); defaults fit every operation in operations/.
  MAX_BODY_BYTES: int(1_000_000),
  MAX_TOKENS: int(2000),
  MAX_DEPTH: int(12),
  MAX_ALIASES: int(15),
  MAX_DIRECTIVES: int(20),
  MAX_COST: int(20_000),
  PARSE_CACHE_SIZE: int(1000, 0),
  PARSE_CACHE_BYTES: int(64 * 1024 * 1024, 0),
  ORG_STATEMENT_TIMEOUT_MS: int(5000, 0),
  CORS_ORIGINS: optional,
  INTROSPECTION: z.enum(["true", "false", "1", "0"]).default("true"),
  PERSISTED_OPERATIONS_ONLY: z.enum(["true", "false", "1", "0"]).default("false"),
  PERSISTED_OPERATIONS_FILE: optional,
  ...LIMITS_ENV,
  ...OBSERVE_ENV,
  SHUTDOWN_GRACE_MS: int(10_000, 0),
  // Accounts (README "Accounts"): verification, reset, mail.
  REQUIRE_VERIFIED_EMAIL: z.enum(["true", "false", "1", "0"]).default("true"),
  EMAIL_VERIFICATION_TTL_MINUTES: int(48 * 60),
  PASSWORD_RESET_TTL_MINUTES: int(30),
  SMTP_URL: optional.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: z.string().trim().min(3).default("tenantgraph <no-reply@localhost>"),
  MAIL_LOG_LINKS: z.enum(["true", "false", "1", "0"]).optional(),
  ACCOUNT_LINK_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Organizations by host name (README "Organizations by host name").
  ORG_HOST_SUFFIX: optional.pipe(
    z
      .string()
      .toLowerCase()
      .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, "ORG_HOST_SUFFIX must be a domain name")
      .optional(),
  ),
  ORG_HOST_HEADER: z.enum(["host", "x-forwarded-host"]).default("host"),
  AUDIT_RETENTION_DAYS: int(365),
});

/** Every environment variable the configuration reads (docker-compose.yml is checked against it). */
export const CONFIG_ENV_KEYS: readonly string[] = Object.keys(Env.shape);

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const servers = parseServers(e.SERVERS);
  const asymmetric = e.JWKS_FILE !== undefined || e.JWKS_URL !== undefined;
  const algorithms = e.JWT_ALGORITHMS?.split(",")
    .map((a) => a.trim())
    .filter(Boolean) ?? [
    ...(asymmetric ? ["RS256", "ES256", "EdDSA"] : []),
    ...(e.JWT_SECRET || !asymmetric ? ["HS256"] : []),
  ];
  if (algorithms.some((a) => a.toLowerCase() === "none")) throw new ConfigError("JWT_ALGORITHMS may not contain none");
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    servers,
    dataDir: path.resolve(PROJECT_ROOT, e.DATA_DIR ?? ".tenantgraph"),
    auth: {
      secret: e.JWT_SECRET,
      jwksFile: e.JWKS_FILE,
      jwksUrl: e.JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      algorithms,
      tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      jwks: { cooldownSeconds: e.JWKS_COOLDOWN_SECONDS, defaultMaxAgeSeconds: e.JWKS_CACHE_SECONDS },
    },
    orgClients: {
      maxClients: e.ORG_CLIENT_CACHE_SIZE,
      poolSize: e.ORG_POOL_SIZE,
      sharedPoolSize: e.SHARED_POOL_SIZE,
      serverBudget: e.SERVER_CONNECTION_BUDGET,
      busyWaitMs: e.TENANT_BUSY_WAIT_MS,
      statementTimeoutMs: e.ORG_STATEMENT_TIMEOUT_MS,
      poolers: parsePoolers(e.POOLERS),
    },
    routeCache: { maxEntries: e.ROUTE_CACHE_SIZE, ttlMs: e.ROUTE_CACHE_TTL_SECONDS * 1000 },
    appRole: { name: e.APP_DB_ROLE, password: e.APP_DB_PASSWORD },
    defaults: { tier: e.DEFAULT_TIER, server: e.DEFAULT_SERVER, hostDatabasePrefix: e.HOST_DATABASE_PREFIX },
    moveKeepSourceHours: e.MOVE_KEEP_SOURCE_HOURS,
    logLevel: e.LOG_LEVEL,
    rateLimits: limitsConfig(e),
    seedDemo: e.SEED_DEMO === undefined ? e.DATABASE_URL === undefined : e.SEED_DEMO === "true" || e.SEED_DEMO === "1",
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxTokens: e.MAX_TOKENS,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_COST,
      parseCacheEntries: e.PARSE_CACHE_SIZE,
      parseCacheBytes: e.PARSE_CACHE_BYTES,
    },
    http: {
      corsOrigins:
        e.CORS_ORIGINS?.split(",")
          .map((o) => o.trim())
          .filter(Boolean) ?? [],
      introspection: e.INTROSPECTION === "true" || e.INTROSPECTION === "1",
      persistedOperationsOnly: e.PERSISTED_OPERATIONS_ONLY === "true" || e.PERSISTED_OPERATIONS_ONLY === "1",
      persistedOperationsFile: path.resolve(
        PROJECT_ROOT,
        e.PERSISTED_OPERATIONS_FILE ?? "operations/generated/persisted-documents.json",
      ),
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    accounts: {
      requireVerifiedEmail: isTrue(e.REQUIRE_VERIFIED_EMAIL),
      verificationTtlMinutes: e.EMAIL_VERIFICATION_TTL_MINUTES,
      passwordResetTtlMinutes: e.PASSWORD_RESET_TTL_MINUTES,
      mail: {
        smtpUrl: e.SMTP_URL,
        from: e.MAIL_FROM,
        // Links are secrets: logged only in development (the embedded server) unless told.
        logLinks: e.MAIL_LOG_LINKS === undefined ? e.DATABASE_URL === undefined : isTrue(e.MAIL_LOG_LINKS),
        linkUrl: e.ACCOUNT_LINK_URL?.replace(/\/+$/, ""),
      },
    },
    orgHosts: { suffix: e.ORG_HOST_SUFFIX, header: e.ORG_HOST_HEADER },
    observe: observeConfig(e),
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
  };
}

function isTrue(value: string): boolean {
  return value === "true" || value === "1";
}

function parsePoolers(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('POOLERS must be JSON: {"main": "pgbouncer-host:6432"}');
  }
  const result = z.record(z.string(), z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "host:port")).safeParse(value);
  if (!result.success) throw new ConfigError(`POOLERS: ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

function parseServers(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('SERVERS must be JSON: {"name": "postgresql://..."}');
  }
  const result = z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/), z.url({ protocol: /^postgres(ql)?$/ }))
    .safeParse(value);
  if (!result.success) throw new ConfigError(`SERVERS: ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

/** The server list with "main" pointing at the central database's server. */
export function withMainServer(config: Config, centralUrl: string): Record<string, string> {
  return { ...config.servers, main: centralUrl };
}
