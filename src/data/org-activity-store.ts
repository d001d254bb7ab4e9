// The central tables behind per-organization monitoring: org_activity (each process's figures
// per window, written in one statement per window) and org_threshold_flags (who is over which
// threshold; the one who inserts a flag logs the crossing, so it is logged once).
import type { CentralDb } from "./central-client.ts";

export interface ActivityRow {
  orgId: string;
  requests: number;
  errors: number;
  durationMsSum: number;
  cost: number;
  latencyBuckets: number[];
}

/** Rows older than this are deleted when a process writes its window. */
const KEEP = "1 hour";

export async function writeActivity(
  central: CentralDb,
  process: string,
  window: { start: Date; end: Date },
  rows: readonly ActivityRow[],
): Promise<void> {
  if (rows.length > 0) {
    // One statement for the whole window: arrays in, unnest out (latency buckets as JSON arrays).
    await central.$executeRaw`
      INSERT INTO org_activity
        (org_id, process, window_start, window_end, requests, errors, duration_ms_sum, cost, latency_buckets)
      SELECT r.org_id, ${process}, ${window.start}, ${window.end}, r.requests, r.errors, r.duration_ms_sum, r.cost,
             ARRAY(SELECT jsonb_array_elements_text(r.buckets)::int)
      FROM unnest(${rows.map((r) => r.orgId)}::uuid[], ${rows.map((r) => r.requests)}::int[],
                  ${rows.map((r) => r.errors)}::int[], ${rows.map((r) => r.durationMsSum)}::float8[],
                  ${rows.map((r) => r.cost)}::bigint[], ${rows.map((r) => JSON.stringify(r.latencyBuckets))}::jsonb[])
        AS r(org_id, requests, errors, duration_ms_sum, cost, buckets)
      WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = r.org_id)`;
  }
  await central.$executeRawUnsafe(`DELETE FROM org_activity WHERE window_end < now() - interval '${KEEP}'`);
}

export interface RecentActivity extends ActivityRow {
  /** Seconds covered: from the oldest window start read to now. */
  seconds: number;
}

/** Every process's figures per organization over the last `seconds` (only `orgIds` when given). */
export async function recentActivity(
  central: CentralDb,
  seconds: number,
  orgIds?: readonly string[],
): Promise<Map<string, RecentActivity>> {
  const rows = await central.$queryRaw<
    Array<{
      org_id: string;
      requests: number;
      errors: number;
      duration_ms_sum: number;
      cost: bigint;
      buckets: number[];
    }>
  >`
    SELECT org_id, requests, errors, duration_ms_sum, cost, latency_buckets AS buckets FROM org_activity
    WHERE window_end > now() - make_interval(secs => ${seconds})
      AND (${orgIds === undefined} OR org_id = ANY(${orgIds ?? []}::uuid[]))`;
  const byOrg = new Map<string, RecentActivity>();
  for (const row of rows) {
    let sum = byOrg.get(row.org_id);
    if (!sum) {
      sum = { orgId: row.org_id, requests: 0, errors: 0, durationMsSum: 0, cost: 0, latencyBuckets: [], seconds };
      byOrg.set(row.org_id, sum);
    }
    sum.requests += row.requests;
    sum.errors += row.errors;
    sum.durationMsSum += row.duration_ms_sum;
    sum.cost += Number(row.cost);
    row.buckets.forEach((n, i) => (sum.latencyBuckets[i] = (sum.latencyBuckets[i] ?? 0) + n));
  }
  return byOrg;
}

export interface ThresholdFlag {
  orgId: string;
  slug: string;
  threshold: string;
  value: number;
  limit: number;
  since: Date;
}

/**
 * Records who is over `threshold` among the organizations `measured`: new flags are inserted
 * (and returned: the caller logs those crossings, once), flags of measured organizations now
 * below are deleted.
 */
export async function updateFlags(
  central: CentralDb,
  threshold: string,
  limit: number,
  measured: ReadonlyArray<{ orgId: string; value: number }>,
): Promise<string[]> {
  const over = measured.filter((m) => m.value > limit);
  const below = measured.filter((m) => m.value <= limit).map((m) => m.orgId);
  if (below.length)
    await central.$executeRaw`
      DELETE FROM org_threshold_flags WHERE threshold = ${threshold} AND org_id = ANY(${below}::uuid[])`;
  if (over.length === 0) return [];
  const upserted = await central.$queryRaw<Array<{ org_id: string; inserted: boolean }>>`
    INSERT INTO org_threshold_flags (org_id, threshold, value, "limit")
    SELECT r.org_id, ${threshold}, r.value, ${limit}
    FROM unnest(${over.map((o) => o.orgId)}::uuid[], ${over.map((o) => o.value)}::float8[]) AS r(org_id, value)
    WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = r.org_id)
    ON CONFLICT (org_id, threshold) DO UPDATE SET value = excluded.value, "limit" = excluded."limit"
    RETURNING org_id, (xmax = 0) AS inserted`;
  return upserted.filter((r) => r.inserted).map((r) => r.org_id);
}

export async function listFlags(central: CentralDb): Promise<ThresholdFlag[]> {
  const rows = await central.$queryRaw<
    Array<{ org_id: string; slug: string; threshold: string; value: number; limit: number; since: Date }>
  >`
    SELECT f.org_id, o.slug, f.threshold, f.value, f."limit", f.since
    FROM org_threshold_flags f JOIN organizations o ON o.id = f.org_id
    WHERE o.state <> 'DELETED' ORDER BY f.since`;
  return rows.map((r) => ({
    orgId: r.org_id,
    slug: r.slug,
    threshold: r.threshold,
    value: r.value,
    limit: r.limit,
    since: r.since,
  }));
}
