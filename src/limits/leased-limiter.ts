// A shared limit spent locally: instead of one store round trip per request, a process takes
// points from the shared store (central database or Redis) in blocks ("leases") and spends them
// in memory until the block or the store's window runs out. The store still counts every
// point any process took, so all processes together never admit more than the limit; the price
// is that points leased by one process and not spent before the window ends are lost to the
// others (at most one block per process and key per window). A block is a tenth of the limit,
// or exactly what one consumption needs when that is more, so a process that uses a key rarely
// takes no more than it spends.
//
// When the store refuses a block, the points that were still free before it are kept (the
// store counted the whole block), the key is refused locally until the window ends, and no
// further store round trip is made for it meanwhile.
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { rateLimited } from "./consume.ts";

interface Lease {
  /** Points taken from the store and not yet spent. */
  left: number;
  /** When the store's window (and so these points) ends, epoch ms. */
  expiresAt: number;
  /** The store refused a block: nothing more until the window ends. */
  exhausted: boolean;
  /** A block being taken from the store (one at a time per key). */
  taking?: Promise<void>;
}

/** Blocks are this share of the limit. */
const BLOCK_SHARE = 10;
/** Above this many keys, ended leases are pruned (at most once per second). */
const PRUNE_ABOVE = 10_000;

export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly blockSize: number;
  private prunedAt = 0;

  /** `limiter` is the store's limiter of `points` per window. */
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly points: number,
  ) {
    this.blockSize = Math.max(1, Math.floor(points / BLOCK_SHARE));
  }

  /** Spends `points` of `key`; RATE_LIMITED (`what` says which limit) when the window's points are used up. */
  async consume(key: string, points: number, what: string): Promise<void> {
    this.pruneEnded();
    for (;;) {
      const now = Date.now();
      let lease = this.leases.get(key);
      if (lease && lease.expiresAt <= now && !lease.taking) {
        this.leases.delete(key);
        lease = undefined;
      }
      if (lease && lease.left >= points) {
        lease.left -= points;
        return;
      }
      if (lease?.exhausted) throw rateLimited(what, lease.expiresAt - now);
      if (lease?.taking) {
        await lease.taking;
        continue;
      }
      const current: Lease = lease ?? { left: 0, expiresAt: now, exhausted: false };
      this.leases.set(key, current);
      current.taking = this.take(key, current, points - current.left).finally(() => (current.taking = undefined));
      await current.taking;
    }
  }

  /**
   * Takes a block for `key` now, spending nothing, unless one is held, being taken or refused:
   * so that a later consume() of up to a block finds its points here without a round trip.
   */
  async prefetch(key: string): Promise<void> {
    const lease = this.leases.get(key);
    if (lease && (lease.taking || lease.exhausted || (lease.left > 0 && lease.expiresAt > Date.now()))) return;
    const current: Lease = { left: 0, expiresAt: Date.now(), exhausted: false };
    this.leases.set(key, current);
    current.taking = this.take(key, current, 1).finally(() => (current.taking = undefined));
    await current.taking;
  }

  private pruneEnded(): void {
    const now = Date.now();
    if (this.leases.size <= PRUNE_ABOVE || now - this.prunedAt < 1000) return;
    this.prunedAt = now;
    for (const [key, lease] of this.leases) if (lease.expiresAt <= now && !lease.taking) this.leases.delete(key);
  }

  /** Takes a block of at least `needed` points from the store into `lease`. */
  private async take(key: string, lease: Lease, needed: number): Promise<void> {
    const block = Math.max(needed, this.blockSize);
    try {
      const taken = await this.limiter.consume(key, block);
      lease.left += block;
      lease.expiresAt = Date.now() + taken.msBeforeNext;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The store counted the whole block; what was free before it is still ours to spend.
      const before = refusal.consumedPoints - block;
      const free = before >= 0 ? Math.min(block, Math.max(0, this.points - before)) : 0;
      lease.left += free;
      lease.exhausted = true;
      lease.expiresAt = Date.now() + refusal.msBeforeNext;
    }
  }
}
