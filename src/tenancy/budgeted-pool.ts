// A pg.Pool whose connections count in its server's ConnectionBudget one by one, as they are
// opened and closed, instead of reserving the pool's maximum up front. An organization that
// uses one connection costs one; a busy one grows towards its maximum only while the budget
// has room, and otherwise queues on the connections it has (no error: they come back).
// Connections beyond the pool's `floor` (what its owner reserved already, e.g. the one an
// organization client is admitted with) are counted before they are opened, and given back
// when they close, or at once when another pool on the server needs room (shedIdle).
//
// It hooks pg-pool's three internal decision points (pg-pool 3.x: _isFull before opening a
// connection, newClient when opening one, _remove/_pulseQueue when one is gone); PrismaPg
// accepts it because it is a pg.Pool.
import pg from "pg";
import type { ConnectionBudget } from "./connection-budget.ts";

interface PoolInternals {
  _clients: pg.PoolClient[];
  _idle: Array<{ client: pg.PoolClient }>;
  _isFull(): boolean;
  newClient(pendingItem: unknown): void;
  _remove(client: pg.PoolClient, callback?: () => void): void;
  _pulseQueue(): void;
}

const base = pg.Pool.prototype as unknown as PoolInternals;

export interface BudgetedPoolOptions extends pg.PoolConfig {
  budget: ConnectionBudget;
  server: string;
  /** Connections already reserved for this pool by its owner (not counted again). */
  floor: number;
}

export class BudgetedPool extends pg.Pool {
  private readonly budget: ConnectionBudget;
  private readonly server: string;
  private readonly floor: number;
  /** Connections counted in the budget beyond the floor. */
  private counted = 0;
  /** Connections removed from the pool whose socket is not closed yet: still counted. */
  private closing = 0;
  private waitingForBudget = false;

  constructor({ budget, server, floor, ...options }: BudgetedPoolOptions) {
    super(options);
    this.budget = budget;
    this.server = server;
    this.floor = floor;
    budget.addPool(server, this);
    this.on("connect", () => budget.sessionsOpened++);
    this.on("remove", () => {
      this.closing--;
      this.settle();
    });
  }

  private get internals(): PoolInternals {
    return this as unknown as PoolInternals;
  }

  /** Connections in the pool (pg-pool's own count, including ones still connecting). */
  get opened(): number {
    return this.internals._clients.length;
  }

  /**
   * Closes idle connections beyond the floor; they go back to the budget once closed.
   * Returns how many are on their way back (these and any still closing).
   */
  shedIdle(): number {
    const extra = this.internals._idle.slice(0, Math.max(0, this.opened - this.floor));
    for (const { client } of extra) this.internals._remove(client);
    return this.closing;
  }

  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void): Promise<void> | void {
    this.budget.removePool(this.server, this);
    return callback ? super.end(callback) : super.end();
  }

  // pg-pool: "may I open one more connection?"
  _isFull(): boolean {
    const opened = this.opened;
    if (opened >= (this.options.max ?? 10)) return true;
    if (opened < this.floor || this.budget.available(this.server) > 0) return false;
    // No connection of its own to wait for: make room elsewhere, then look again.
    if (opened === 0) this.waitForBudget();
    return true;
  }

  newClient(pendingItem: unknown): void {
    base.newClient.call(this, pendingItem);
    this.settle();
  }

  _remove(client: pg.PoolClient, callback?: () => void): void {
    this.closing++; // given back to the budget once closed (the "remove" event)
    base._remove.call(this, client, callback);
  }

  _pulseQueue(): void {
    this.settle(); // a connection that failed to open left without _remove
    base._pulseQueue.call(this);
  }

  private settle(): void {
    const beyond = Math.max(0, this.opened + this.closing - this.floor);
    if (beyond > this.counted) this.budget.forceReserve(this.server, beyond - this.counted);
    else if (beyond < this.counted) this.budget.release(this.server, this.counted - beyond);
    this.counted = beyond;
  }

  private waitForBudget(): void {
    if (this.waitingForBudget) return;
    this.waitingForBudget = true;
    if (!this.budget.shedIdle(this.server, this)) this.budget.reclaimIdle?.(this.server);
    void this.budget.waitForChange(250).then(() => {
      this.waitingForBudget = false;
      base._pulseQueue.call(this);
    });
  }
}
