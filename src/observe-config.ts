// Metrics, per-organization monitoring thresholds and tier suggestions: the environment
// variables that set them and their defaults. config.ts spreads OBSERVE_ENV into its schema
// and calls observeConfig on the parsed values (README "Metrics", "Per-organization monitoring").
import { z } from "zod";

export interface ObserveConfig {
  metrics: {
    /** Record metrics on the request path and serve /metrics (METRICS_ENABLED=false: neither). */
    enabled: boolean;
    /** Bearer token /metrics requires (none: open to whoever reaches the listener). */
    token?: string;
    /** Serve /metrics only on this port (a separate listener, e.g. reachable from the cluster only). */
    port?: number;
    /** Organizations always labelled by slug in the per-organization metrics. */
    orgSlugs: string[];
    /** The busiest organizations of each window labelled by slug. */
    topOrgs: number;
    /** Operation names labelled besides the persisted operations' (the rest: "other"). */
    maxOperations: number;
    /** Organizations over a threshold labelled by slug, at most. */
    maxFlaggedOrgs: number;
  };
  /** Each process writes its per-organization figures to the central table org_activity this often. */
  orgStatsIntervalSeconds: number;
  /** An organization over any of these is flagged (orgs stats, metric, one log line when it crosses). */
  thresholds: { storageBytes: number; rows: number; requestsPerSecond: number; p99Ms: number };
  /** Tier an organization's storage suggests: SHARED below schemaFromBytes, DATABASE from databaseFromBytes. */
  tierBySize: { schemaFromBytes: number; databaseFromBytes: number };
}

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const MB = 1024 * 1024;

export const OBSERVE_ENV = {
  METRICS_ENABLED: z.enum(["true", "false", "1", "0"]).default("true"),
  METRICS_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional()),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_ORG_SLUGS: z.string().optional(),
  METRICS_TOP_ORGS: int(20, 0),
  METRICS_MAX_OPERATIONS: int(100, 0),
  METRICS_MAX_FLAGGED_ORGS: int(50, 0),
  ORG_STATS_INTERVAL_SECONDS: int(60),
  ORG_THRESHOLD_STORAGE_MB: int(10 * 1024),
  ORG_THRESHOLD_ROWS: int(10_000_000),
  ORG_THRESHOLD_REQUESTS_PER_SECOND: int(100),
  ORG_THRESHOLD_P99_MS: int(2000),
  TIER_SCHEMA_FROM_MB: int(100),
  TIER_DATABASE_FROM_MB: int(5 * 1024),
};

type ObserveEnv = z.output<z.ZodObject<typeof OBSERVE_ENV>>;

export function observeConfig(e: ObserveEnv): ObserveConfig {
  return {
    metrics: {
      enabled: e.METRICS_ENABLED === "true" || e.METRICS_ENABLED === "1",
      token: e.METRICS_TOKEN,
      port: e.METRICS_PORT,
      orgSlugs:
        e.METRICS_ORG_SLUGS?.split(",")
          .map((s) => s.trim())
          .filter(Boolean) ?? [],
      topOrgs: e.METRICS_TOP_ORGS,
      maxOperations: e.METRICS_MAX_OPERATIONS,
      maxFlaggedOrgs: e.METRICS_MAX_FLAGGED_ORGS,
    },
    orgStatsIntervalSeconds: e.ORG_STATS_INTERVAL_SECONDS,
    thresholds: {
      storageBytes: e.ORG_THRESHOLD_STORAGE_MB * MB,
      rows: e.ORG_THRESHOLD_ROWS,
      requestsPerSecond: e.ORG_THRESHOLD_REQUESTS_PER_SECOND,
      p99Ms: e.ORG_THRESHOLD_P99_MS,
    },
    tierBySize: { schemaFromBytes: e.TIER_SCHEMA_FROM_MB * MB, databaseFromBytes: e.TIER_DATABASE_FROM_MB * MB },
  };
}
