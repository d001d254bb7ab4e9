// The configuration of each area, built from the parsed environment (src/config/env-schema.ts):
// what loadConfig (src/config.ts) assembles into one Config.
import path from "node:path";
import type { AccountsConfig, AuthConfig, OperationLimits } from "./area-types.ts";
import type { Config } from "./config-type.ts";
import type { ParsedEnv } from "./env-schema.ts";
import { ConfigError, parsePoolers } from "./json-records.ts";

export function isTrue(value: string): boolean {
  return value === "true" || value === "1";
}

export function authConfig(e: ParsedEnv): AuthConfig {
  const asymmetric = e.JWKS_FILE !== undefined || e.JWKS_URL !== undefined;
  const algorithms = e.JWT_ALGORITHMS?.split(",")
    .map((a) => a.trim())
    .filter(Boolean) ?? [
    ...(asymmetric ? ["RS256", "ES256", "EdDSA"] : []),
    ...(e.JWT_SECRET || !asymmetric ? ["HS256"] : []),
  ];
  if (algorithms.some((a) => a.toLowerCase() === "none")) throw new ConfigError("JWT_ALGORITHMS may not contain none");
  return {
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
  };
}

export function orgClientsConfig(e: ParsedEnv): Config["orgClients"] {
  return {
    maxClients: e.ORG_CLIENT_CACHE_SIZE,
    poolSize: e.ORG_POOL_SIZE,
    sharedPoolSize: e.SHARED_POOL_SIZE,
    serverBudget: e.SERVER_CONNECTION_BUDGET,
    busyWaitMs: e.TENANT_BUSY_WAIT_MS,
    statementTimeoutMs: e.ORG_STATEMENT_TIMEOUT_MS,
    poolers: parsePoolers(e.POOLERS),
  };
}

export function operationLimits(e: ParsedEnv): OperationLimits {
  return {
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxTokens: e.MAX_TOKENS,
    maxDepth: e.MAX_DEPTH,
    maxAliases: e.MAX_ALIASES,
    maxDirectives: e.MAX_DIRECTIVES,
    maxCost: e.MAX_COST,
    parseCacheEntries: e.PARSE_CACHE_SIZE,
    parseCacheBytes: e.PARSE_CACHE_BYTES,
  };
}

/** `projectRoot`: where a relative PERSISTED_OPERATIONS_FILE is found. */
export function httpConfig(e: ParsedEnv, projectRoot: string): Config["http"] {
  return {
    corsOrigins:
      e.CORS_ORIGINS?.split(",")
        .map((o) => o.trim())
        .filter(Boolean) ?? [],
    introspection: isTrue(e.INTROSPECTION),
    persistedOperationsOnly: isTrue(e.PERSISTED_OPERATIONS_ONLY),
    persistedOperationsFile: path.resolve(
      projectRoot,
      e.PERSISTED_OPERATIONS_FILE ?? "operations/generated/persisted-documents.json",
    ),
    executor: e.GRAPHQL_EXECUTOR,
  };
}

export function accountsConfig(e: ParsedEnv): AccountsConfig {
  return {
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
  };
}
