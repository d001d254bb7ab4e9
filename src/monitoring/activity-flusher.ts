// Once per ORG_STATS_INTERVAL_SECONDS a process ends its metrics window: the busiest
// organizations of the window get the slug labels next (org-labels.ts), the window's
// per-organization figures go to the central table org_activity in one statement (what
// `tenantgraph orgs stats` reads), and the request-rate and p99 thresholds are checked on
// every process's recent figures for the organizations this one served. A crossing is logged
// by the process that records the flag (once); the flags, whoever set them (the CLI sets
// storage and rows), become the threshold metrics. Nothing of this runs per request.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { CentralDb } from "../data/central-client.ts";
import { listFlags, recentActivity, updateFlags, writeActivity } from "../data/org-activity-store.ts";
import type { Metrics, ThresholdName } from "../metrics/metrics.ts";
import { p99Of } from "../metrics/org-activity.ts";
import type { ObserveConfig } from "../observe-config.ts";

export interface ActivityFlusher {
  /** Ends the window now (tests; shutdown). */
  flush(): Promise<void>;
  /** Stops the timer and writes the last window (a graceful shutdown loses no figures). */
  stop(): Promise<void>;
}

export function startActivityFlusher(
  central: CentralDb,
  metrics: Metrics,
  config: ObserveConfig,
  logger: Logger,
): ActivityFlusher {
  const processId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const { requestsPerSecond, p99Ms } = config.thresholds;
  let running: Promise<void> | undefined;

  const flushOnce = async () => {
    const window = metrics.orgActivity.rotate();
    metrics.orgLabels.nextWindow(window.figures);
    const end = new Date(window.startedAt.getTime() + window.seconds * 1000);
    await writeActivity(
      central,
      processId,
      { start: window.startedAt, end },
      window.figures.map((f) => ({
        orgId: f.orgId,
        requests: f.requests,
        errors: f.errors,
        durationMsSum: f.durationMsSum,
        cost: f.cost,
        latencyBuckets: [...f.buckets],
      })),
    );
    if (window.figures.length > 0) {
      const seconds = Math.max(config.orgStatsIntervalSeconds, window.seconds);
      const recent = await recentActivity(
        central,
        seconds,
        window.figures.map((f) => f.orgId),
      );
      const slugs = new Map(window.figures.map((f) => [f.orgId, f.slug]));
      const rates = [...recent.values()].map((r) => ({ orgId: r.orgId, value: r.requests / seconds }));
      const p99s = [...recent.values()].map((r) => ({ orgId: r.orgId, value: p99Of(r.latencyBuckets) }));
      for (const [threshold, limit, measured] of [
        ["request_rate", requestsPerSecond, rates],
        ["p99", p99Ms, p99s],
      ] as const) {
        for (const orgId of await updateFlags(central, threshold, limit, measured)) {
          const value = measured.find((m) => m.orgId === orgId)?.value;
          logger.warn({ orgId, orgSlug: slugs.get(orgId), threshold, value, limit }, "organization over a threshold");
        }
      }
    }
    exportFlags(metrics, await listFlags(central));
  };

  const flush = () => {
    running ??= flushOnce()
      .catch((error: unknown) => logger.warn({ err: error }, "per-organization figures not written"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void flush(), config.orgStatsIntervalSeconds * 1000);
  timer.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await running;
      await flush();
    },
  };
}

/** The flags as metrics: a count per threshold, and a series per flagged organization while labels are left. */
function exportFlags(metrics: Metrics, flags: ReadonlyArray<{ orgId: string; slug: string; threshold: string }>): void {
  metrics.org.countOverThreshold.reset();
  metrics.org.overThreshold.reset();
  const counts = new Map<string, number>();
  for (const flag of flags) {
    counts.set(flag.threshold, (counts.get(flag.threshold) ?? 0) + 1);
    if (metrics.orgLabels.flag(flag.orgId, flag.slug))
      metrics.org.overThreshold.set({ org: flag.slug, threshold: flag.threshold as ThresholdName }, 1);
  }
  for (const [threshold, count] of counts) metrics.org.countOverThreshold.set({ threshold }, count);
  const flagged = new Set(flags.map((f) => f.orgId));
  metrics.orgLabels.unflagAllBut(flagged);
}
