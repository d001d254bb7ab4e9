// The sessions revoked recently, held in memory by every process, so that checking a token's
// `sid` costs a map lookup and no central query. A session only needs remembering for as long
// as an access token issued before its revocation can still be valid (the access token
// lifetime, plus a margin for clock skew); older entries are dropped.
//
// Kept current three ways: the revoking process adds the session at once; every process
// hears `sessions-revoked` from the central database (LISTEN/NOTIFY); and after the listening
// connection was lost ("resync", events may be missed) the whole set is reloaded. A process
// that misses an event and cannot resync yet accepts a revoked session's access token until
// the token expires, never longer.
import type { CentralListener } from "../data/central-notifications.ts";

/** Tokens' clocks may differ from ours by this much (jose accepts no clock tolerance by default; be generous). */
const CLOCK_SKEW_MS = 60_000;

export interface RevokedSessionSource {
  /** Sessions revoked since `since`, of one user or of everyone. */
  revokedSince(since: Date, userId?: string): Promise<Array<{ id: string; revokedAt: Date | null }>>;
}

export class RevokedSessions {
  /** Session id -> when the last access token it may have had expires (epoch ms). */
  private readonly until = new Map<string, number>();
  private pruneAtSize = 1024;

  constructor(
    private readonly source: RevokedSessionSource,
    private readonly accessTokenTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(sessionId: string): boolean {
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(sessionId);
    return false;
  }

  add(sessionId: string, revokedAt: number = this.now()): void {
    const until = revokedAt + this.accessTokenTtlMs + CLOCK_SKEW_MS;
    if (until <= this.now() || (this.until.get(sessionId) ?? 0) >= until) return;
    this.until.set(sessionId, until);
    if (this.until.size >= this.pruneAtSize) this.prune();
  }

  /** Re-reads the revocations that still matter (all, or one user's) from the central database. */
  async reload(userId?: string): Promise<void> {
    const since = new Date(this.now() - this.accessTokenTtlMs - CLOCK_SKEW_MS);
    for (const { id, revokedAt } of await this.source.revokedSince(since, userId)) {
      this.add(id, revokedAt?.getTime());
    }
  }

  /** Follows revocations announced by any process; returns the unsubscribe function. */
  follow(events: Pick<CentralListener, "subscribe">, onError: (error: unknown) => void): () => void {
    const stops = [
      events.subscribe("sessions-revoked", (event) => {
        if (event.sessionId) this.add(event.sessionId);
        // One session of the user may be left alive (a password change): read which ended.
        else return this.reload(event.userId).catch(onError);
      }),
      events.subscribe("resync", () => this.reload().catch(onError)),
    ];
    return () => stops.forEach((stop) => stop());
  }

  get size(): number {
    return this.until.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
    this.pruneAtSize = Math.max(1024, this.until.size * 2);
  }
}
