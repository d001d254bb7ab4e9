// Every environment variable the configuration reads, with its default and its checks (zod).
// Values that need more than one variable, or JSON, are built from the parsed result by
// src/config/area-configs.ts and src/config.ts.
import { z } from "zod";
import { Tier } from "../data/generated/central/enums.ts";
import { LIMITS_ENV } from "../rate-limits-config.ts";
import { OBSERVE_ENV } from "../observe-config.ts";

/** HOST_DATABASE_PREFIX's default: host and template database names start with it. */
export const DEFAULT_HOST_DATABASE_PREFIX = "tenantgraph";

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const optional = z
  .string()
  .trim()
  .min(1)
  .optional()
  .or(z.literal("").transform(() => undefined));

export const Env = z.object({
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
    .default(DEFAULT_HOST_DATABASE_PREFIX),
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
  GRAPHQL_EXECUTOR: z.enum(["jit", "graphql-js"]).default("jit"),
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

export type ParsedEnv = z.output<typeof Env>;
