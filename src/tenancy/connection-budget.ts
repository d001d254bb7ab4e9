// Each PostgreSQL server has a connection budget, kept below its max_connections. It counts
// the connections this process actually has open (or is opening) on that server: the central
// database's pools (reserved whole at start), and every organization pool's connections, one
// at a time as they are opened (see budgeted-pool.ts). A connection is counted before it is
// opened, so the process never makes PostgreSQL answer "too many clients".
/** A pool that can close its idle connections beyond what its owner reserved (BudgetedPool). */
export interface SheddingPool {
  shedIdle(): number;
}

export class ConnectionBudget {
  private readonly used = new Map<string, number>();
  private readonly pools = new Map<string, Set<SheddingPool>>();
  private readonly peaks = new Map<string, number>();
  private waiters: Array<() => void> = [];
  /** Organization connections opened so far (new PostgreSQL sessions; benchmarks read it). */
  sessionsOpened = 0;
  /**
   * Set by the organization client cache: closes the least recently used idle organization
   * client on `server` to give its connections back; false when there is none.
   */
  reclaimIdle?: (server: string) => boolean;

  constructor(private readonly perServer: number) {}

  get capacity(): number {
    return this.perServer;
  }

  inUse(server: string): number {
    return this.used.get(server) ?? 0;
  }

  /** Connections reserved per server (metrics). */
  usage(): Record<string, number> {
    return Object.fromEntries(this.used);
  }

  /** Cold organizations waiting for a release (metrics). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** The most connections ever counted on `server` at once (benchmarks, tests). */
  peak(server: string): number {
    return this.peaks.get(server) ?? 0;
  }

  available(server: string): number {
    return this.perServer - this.inUse(server);
  }

  tryReserve(server: string, connections: number): boolean {
    if (this.inUse(server) + connections > this.perServer) return false;
    this.add(server, connections);
    return true;
  }

  /** Reserves even beyond the budget: for connections that must exist (the central database's pools). */
  forceReserve(server: string, connections: number): void {
    this.add(server, connections);
  }

  release(server: string, connections: number): void {
    this.used.set(server, Math.max(0, this.inUse(server) - connections));
    this.wake();
  }

  addPool(server: string, pool: SheddingPool): void {
    let pools = this.pools.get(server);
    if (!pools) this.pools.set(server, (pools = new Set()));
    pools.add(pool);
  }

  removePool(server: string, pool: SheddingPool): void {
    this.pools.get(server)?.delete(pool);
  }

  /**
   * Someone on `server` needs a connection and the budget is spent: every other pool there
   * closes its idle connections beyond its floor. Returns whether any connection is on its
   * way back (closing), so the caller waits for it rather than evicting a client.
   */
  shedIdle(server: string, except?: SheddingPool): boolean {
    let shed = 0;
    for (const pool of this.pools.get(server) ?? []) if (pool !== except) shed += pool.shedIdle();
    return shed > 0;
  }

  /** Resolves at the next release (or nudge), or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  /** Something else that may free connections happened (a client was returned). */
  wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private add(server: string, connections: number): void {
    const next = this.inUse(server) + connections;
    this.used.set(server, next);
    if (next > this.peak(server)) this.peaks.set(server, next);
  }
}
