// Per-organization figures of one process over the current window: requests, errors, time,
// cost and a latency histogram (for p99). Recording is O(1) per request: a map lookup and a
// few increments (an organization's first request in a window allocates its entry). At the
// end of a window the figures serve twice: they choose which organizations the metrics label
// by slug (the busiest), and they are what the process writes to the central database for
// `tenantgraph orgs stats` (one write per window, never one per request).

/** Upper bounds (ms) of the latency buckets; the last one is open-ended. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, Infinity];

export interface OrgFigures {
  orgId: string;
  slug: string;
  requests: number;
  errors: number;
  durationMsSum: number;
  cost: number;
  buckets: Uint32Array;
}

export class OrgActivity {
  private current = new Map<string, OrgFigures>();
  private since = Date.now();

  record(orgId: string, slug: string, durationMs: number, failed: boolean, cost: number): void {
    let figures = this.current.get(orgId);
    if (!figures) {
      figures = {
        orgId,
        slug,
        requests: 0,
        errors: 0,
        durationMsSum: 0,
        cost: 0,
        buckets: new Uint32Array(LATENCY_BOUNDS_MS.length),
      };
      this.current.set(orgId, figures);
    }
    figures.requests++;
    if (failed) figures.errors++;
    figures.durationMsSum += durationMs;
    figures.cost += cost;
    let i = 0;
    while (durationMs > LATENCY_BOUNDS_MS[i]!) i++;
    figures.buckets[i]!++;
  }

  /** Ends the window: its figures (and how long it lasted), and a new empty one. */
  rotate(now = Date.now()): { figures: OrgFigures[]; seconds: number; startedAt: Date } {
    const figures = [...this.current.values()];
    const startedAt = new Date(this.since);
    const seconds = Math.max((now - this.since) / 1000, 0.001);
    this.current = new Map();
    this.since = now;
    return { figures, seconds, startedAt };
  }
}

/** The latency (ms) below which 99 % of the window's requests finished: a bucket's upper bound. */
export function p99Of(buckets: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < buckets.length; i++) total += buckets[i]!;
  if (total === 0) return 0;
  const rank = Math.ceil(total * 0.99);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return Number.isFinite(LATENCY_BOUNDS_MS[i]!) ? LATENCY_BOUNDS_MS[i]! : LATENCY_BOUNDS_MS.at(-2)!;
  }
  return LATENCY_BOUNDS_MS.at(-2)!;
}
