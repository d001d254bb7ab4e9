// `tenantgraph orgs stats`: every (or the named) routable organization measured where its data
// lives, a few at a time, with the request figures every process wrote recently. The storage
// and rows thresholds are checked here (measuring sizes is too costly for a server process to
// do on its own); crossings are recorded as flags, so each is reported once and the running
// servers export them as metrics.
import { recentActivity, updateFlags } from "../data/org-activity-store.ts";
import type { LifecycleDeps } from "../lifecycle/targets.ts";
import type { ObserveConfig } from "../observe-config.ts";
import { measureOrg, orgStats, type OrgStats } from "./org-stats.ts";

export interface FleetStatsOptions {
  slugs?: string[];
  /** Request figures over the last this many minutes. */
  minutes: number;
  concurrency: number;
  onProgress?(done: number, total: number, failed: number): void;
  /** An organization went over a threshold (reported once: the flag stays until it is back below). */
  onCrossed?(slug: string, threshold: string, value: number, limit: number): void;
}

export interface FleetStats {
  orgs: OrgStats[];
  failed: Array<{ slug: string; error: string }>;
}

export async function fleetStats(
  deps: Pick<LifecycleDeps, "central" | "servers">,
  config: Pick<ObserveConfig, "thresholds" | "tierBySize">,
  options: FleetStatsOptions,
): Promise<FleetStats> {
  const orgs = await deps.central.organization.findMany({
    where: { state: { in: ["READY", "MOVING"] }, ...(options.slugs ? { slug: { in: options.slugs } } : {}) },
    orderBy: { slug: "asc" },
  });
  const missing = (options.slugs ?? []).filter((s) => !orgs.some((o) => o.slug === s));
  if (missing.length) throw new Error(`no routable organization ${missing.map((s) => `"${s}"`).join(", ")}`);
  const seconds = options.minutes * 60;
  const activity = await recentActivity(
    deps.central,
    seconds,
    orgs.map((o) => o.id),
  );
  const results: Array<OrgStats | undefined> = new Array(orgs.length);
  const failed: FleetStats["failed"] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < orgs.length; i = next++) {
      const org = orgs[i]!;
      try {
        results[i] = orgStats(org, await measureOrg(org, deps.servers), activity.get(org.id), seconds, config);
      } catch (error) {
        failed.push({ slug: org.slug, error: error instanceof Error ? error.message : String(error) });
      }
      options.onProgress?.(++done, orgs.length, failed.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, orgs.length) }, worker));
  const measured = orgs.flatMap((org, i) => (results[i] ? [{ org, stats: results[i] }] : []));
  const { thresholds } = config;
  for (const [threshold, limit, valueOf] of [
    ["storage", thresholds.storageBytes, (s: OrgStats) => s.storageBytes],
    ["rows", thresholds.rows, (s: OrgStats) => s.totalRows],
    ["request_rate", thresholds.requestsPerSecond, (s: OrgStats) => s.requestsPerSecond],
    ["p99", thresholds.p99Ms, (s: OrgStats) => s.p99Ms ?? 0],
  ] as const) {
    const values = measured.map(({ org, stats }) => ({ orgId: org.id, value: valueOf(stats) }));
    for (const orgId of await updateFlags(deps.central, threshold, limit, values)) {
      const { org, stats } = measured.find((m) => m.org.id === orgId)!;
      options.onCrossed?.(org.slug, threshold, valueOf(stats), limit);
    }
  }
  return { orgs: measured.map((m) => m.stats), failed };
}
