// Every metric the process exports, in one prom-client registry per running app (tests run
// several apps in one process). A base-layer module: the HTTP plugin records requests, the
// tenancy layer reports its caches and pools through collectors (tenancy-metrics.ts), and
// anything with a cache registers its hit/miss counts (registerCacheCounts). Names and labels
// are listed in README "Metrics"; every label's values are bounded (operation-labels.ts,
// org-labels.ts, fixed sets of codes, servers and states).
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { OrgActivity } from "./org-activity.ts";
import { OrgLabels } from "./org-labels.ts";
import { OperationLabels } from "./operation-labels.ts";
import { orgMetrics } from "./org-metrics.ts";

export interface MetricsOptions {
  /** Persisted operations' names: always labelled. */
  knownOperations: ReadonlySet<string>;
  /** Other operation names labelled before the rest collapse into "other". */
  maxOperations: number;
  /** Organizations always labelled by slug. */
  orgSlugs: readonly string[];
  /** The busiest organizations labelled by slug per window. */
  topOrgs: number;
  /** Organizations over a threshold labelled by slug, at most. */
  maxFlaggedOrgs: number;
  /** Node's default process metrics (off in tests that build many apps). */
  processMetrics?: boolean;
}

export interface OperationRecord {
  /** From operationLabels. */
  operation: string;
  /** The first error's extensions.code; undefined when the operation succeeded. */
  code?: string;
  ms: number;
  org?: { id: string; slug: string };
  cost: number;
  /** The organization's server, when known. */
  server?: string;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const http = {
    requests: new Counter({
      name: "tenantgraph_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"] as const,
      registers,
    }),
    duration: new Histogram({
      name: "tenantgraph_http_request_duration_seconds",
      help: "HTTP request duration by route",
      labelNames: ["route"] as const,
      buckets: SECONDS,
      registers,
    }),
  };
  const graphql = {
    operations: new Counter({
      name: "tenantgraph_graphql_operations_total",
      help: "GraphQL operations by operation name and outcome (OK or the first error's extensions.code)",
      labelNames: ["operation", "outcome"] as const,
      registers,
    }),
    duration: new Histogram({
      name: "tenantgraph_graphql_operation_duration_seconds",
      help: "GraphQL operation duration (request start to result) by operation name and outcome",
      labelNames: ["operation", "outcome"] as const,
      buckets: SECONDS,
      registers,
    }),
  };
  const org = orgMetrics(registers);
  const tenantBusy = new Counter({
    name: "tenantgraph_tenant_busy_total",
    help: "Requests refused with TENANT_BUSY, by server",
    labelNames: ["server"] as const,
    registers,
  });
  const orgLabels = new OrgLabels({
    slugs: options.orgSlugs,
    top: options.topOrgs,
    maxFlagged: options.maxFlaggedOrgs,
    onDropped: (slug) => {
      for (const metric of [org.requests, org.duration, org.cost]) metric.remove({ org: slug });
      for (const code of errorCodesSeen) org.errors.remove({ org: slug, code });
      for (const threshold of THRESHOLD_NAMES) org.overThreshold.remove({ org: slug, threshold });
    },
  });
  const cacheSources = new Map<string, () => { hits: number; misses: number }>();
  for (const outcome of ["hits", "misses"] as const) {
    new Counter({
      name: `tenantgraph_central_cache_${outcome}_total`,
      help: `Central-database cache ${outcome}, by cache`,
      labelNames: ["cache"] as const,
      registers,
      collect() {
        this.reset();
        for (const [cache, counts] of cacheSources) this.inc({ cache }, counts()[outcome]);
      },
    });
  }
  // Error codes are a fixed set (src/errors.ts and Yoga's own), remembered to drop an organization's series.
  const errorCodesSeen = new Set<string>();
  const operationLabels = new OperationLabels(options.knownOperations, options.maxOperations);
  const orgActivity = new OrgActivity();
  return {
    registry,
    /** One GraphQL operation's figures: O(1), bounded labels (the request path calls this once per operation). */
    recordOperation(op: OperationRecord) {
      const labels = { operation: op.operation, outcome: op.code ?? "OK" };
      graphql.operations.inc(labels);
      graphql.duration.observe(labels, op.ms / 1000);
      if (op.code === "TENANT_BUSY" && op.server) tenantBusy.inc({ server: op.server });
      if (!op.org) return;
      orgActivity.record(op.org.id, op.org.slug, op.ms, op.code !== undefined, op.cost);
      const label = orgLabels.labelFor(op.org.id, op.org.slug);
      org.requests.inc({ org: label });
      org.duration.observe({ org: label }, op.ms / 1000);
      if (op.cost > 0) org.cost.inc({ org: label }, op.cost);
      if (op.code) {
        errorCodesSeen.add(op.code);
        org.errors.inc({ org: label, code: op.code });
      }
    },
    http,
    graphql,
    org,
    tenantBusy,
    operationLabels,
    orgLabels,
    /** This process's per-organization figures of the current window (org-activity.ts). */
    orgActivity,
    /** Hit and miss counts of a cache, read at every scrape (e.g. the placement/membership cache). */
    registerCacheCounts(cache: string, counts: () => { hits: number; misses: number }) {
      cacheSources.set(cache, counts);
    },
  };
}

/** The thresholds an organization can be over (README "Per-organization monitoring"). */
export const THRESHOLD_NAMES = ["storage", "rows", "request_rate", "p99"] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];
