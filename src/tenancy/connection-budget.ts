// Each PostgreSQL server has a connection budget, kept below its max_connections. Every
// pool this process opens on a server reserves its maximum size from that server's budget
// first, so the process never makes PostgreSQL answer "too many clients".
export class ConnectionBudget {
  private readonly used = new Map<string, number>();
  private waiters: Array<() => void> = [];

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

  tryReserve(server: string, connections: number): boolean {
    const next = this.inUse(server) + connections;
    if (next > this.perServer) return false;
    this.used.set(server, next);
    return true;
  }

  /** Reserves even beyond the budget: for pools that must exist (a server's shared pools). */
  forceReserve(server: string, connections: number): void {
    this.used.set(server, this.inUse(server) + connections);
  }

  release(server: string, connections: number): void {
    this.used.set(server, Math.max(0, this.inUse(server) - connections));
    this.wake();
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
}
