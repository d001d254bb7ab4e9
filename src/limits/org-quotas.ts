// Per-organization quotas: requests per second and operation cost per minute. Each
// organization may have its own limits (central table org_limits, a null column meaning the
// default from configuration); a process reads an organization's row at most once per
// ORG_LIMITS_CACHE_SECONDS, so a changed row takes effect within that time everywhere.
// Both are counted on every request, so they are leased from the shared store in blocks and
// spent in memory (leased-limiter.ts): a warm request usually makes no store round trip.
import { LRUCache } from "lru-cache";
import type { LimitStore } from "../data/limit-store.ts";
import type { OrgLimitsRow } from "../data/org-access.ts";
import { LeasedLimiter } from "./leased-limiter.ts";

export interface OrgLimits {
  requestsPerSecond: number;
  costPerMinute: number;
}

export interface OrgQuotas {
  limitsOf(orgId: string): Promise<OrgLimits>;
  /** One request of `orgId`; RATE_LIMITED when its requests per second are used up. */
  consumeRequest(orgId: string): Promise<void>;
  /** `cost` (a whole number, 0 or more) from `orgId`'s budget per minute; RATE_LIMITED when it would be exceeded. */
  consumeCost(orgId: string, cost: number): Promise<void>;
  /**
   * Reads `orgId`'s limits and takes both leases, side by side, spending nothing: called by
   * the tenancy plugin for a member's request while the organization's client gets ready, so
   * that a cold organization's first request does not wait for these round trips one by one.
   */
  prepare(orgId: string, limitsRow?: OrgLimitsRow): Promise<void>;
}

export function createOrgQuotas(store: LimitStore, defaults: OrgLimits, cacheSeconds: number): OrgQuotas {
  const cache =
    cacheSeconds > 0 ? new LRUCache<string, OrgLimits>({ max: 10_000, ttl: cacheSeconds * 1000 }) : undefined;

  const leased = new Map<string, LeasedLimiter>();
  /** One LeasedLimiter per store limiter (per name and limit). */
  function leasedLimiter(name: string, points: number, durationSeconds: number): LeasedLimiter {
    const shape = `${name}/${points}/${durationSeconds}`;
    let limiter = leased.get(shape);
    if (!limiter)
      leased.set(shape, (limiter = new LeasedLimiter(store.limiter(name, points, durationSeconds), points)));
    return limiter;
  }

  /** The limits of an organization's org_limits row (absent: no row), remembered for ORG_LIMITS_CACHE_SECONDS. */
  function remember(orgId: string, row: OrgLimitsRow | undefined): OrgLimits {
    const limits = {
      requestsPerSecond: positive(row?.requestsPerSecond) ?? defaults.requestsPerSecond,
      costPerMinute: positive(row?.costPerMinute) ?? defaults.costPerMinute,
    };
    cache?.set(orgId, limits);
    return limits;
  }

  async function limitsOf(orgId: string): Promise<OrgLimits> {
    const cached = cache?.get(orgId);
    if (cached) return cached;
    const { rows } = await store.central.query<OrgLimitsRow>(
      `SELECT requests_per_second AS "requestsPerSecond", cost_per_minute AS "costPerMinute" FROM org_limits WHERE org_id = $1`,
      [orgId],
    );
    return remember(orgId, rows[0]);
  }

  const requestsLimiter = ({ requestsPerSecond }: OrgLimits) => leasedLimiter("org-requests", requestsPerSecond, 1);
  const costLimiter = ({ costPerMinute }: OrgLimits) => leasedLimiter("org-cost", costPerMinute, 60);

  return {
    limitsOf,
    async prepare(orgId, limitsRow) {
      // A row routing has just read (the same statement as the membership) is as fresh as our own read.
      const limits = limitsRow ? remember(orgId, limitsRow) : await limitsOf(orgId);
      await Promise.all([requestsLimiter(limits).prefetch(orgId), costLimiter(limits).prefetch(orgId)]);
    },
    async consumeRequest(orgId) {
      await requestsLimiter(await limitsOf(orgId)).consume(orgId, 1, "too many requests for this organization");
    },
    async consumeCost(orgId, cost) {
      if (!Number.isFinite(cost) || cost < 0) throw new Error(`operation cost must be a number >= 0, got ${cost}`);
      if (cost === 0) return;
      const limits = await limitsOf(orgId);
      // Anything above the budget is refused anyway; the cap keeps the counter an integer.
      const points = Math.min(Math.ceil(cost), limits.costPerMinute + 1);
      await costLimiter(limits).consume(orgId, points, "this organization's operation cost per minute is used up");
    },
  };
}

/** A usable limit from a row, or undefined for "use the default" (null, 0 or negative). */
function positive(value: number | null | undefined): number | undefined {
  return typeof value === "number" && value > 0 ? value : undefined;
}
