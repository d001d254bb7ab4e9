// Organization clients, cached by datasource. Bounded (LRU): adding a client beyond the
// bound evicts the least recently used one, which is disconnected as soon as the requests
// that borrowed it have finished, so eviction never breaks a request in flight.
// Creation is single-flight: concurrent first requests for a cold organization share one
// client (and one connection check).
// Clients with their own pool (DATABASE tier) are admitted with one connection from their
// server's connection budget (their pool counts any further ones itself: budgeted-pool.ts):
// a cold organization that would exceed it first makes busy pools close their idle extra
// connections, then evicts the least recently used idle client on that server; when none is
// idle it waits briefly, then fails with TenantBusyError.
import type { TenantClientHandle, TenantDb } from "../data/tenant-client.ts";
import type { ConnectionBudget } from "./connection-budget.ts";
import type { Datasource } from "../data/placement.ts";

export interface OrgClientLease {
  db: TenantDb;
  /** Returns the client to the cache; idempotent. */
  release(): void;
}

export class TenantBusyError extends Error {
  override name = "TenantBusyError";
}

export interface OrgClientCacheOptions {
  maxClients: number;
  /** Builds a client for a datasource; its pool connects lazily. */
  createClient(datasource: Datasource): TenantClientHandle;
  /** Connections the client's own pool may open (0 when it uses a shared pool). */
  connectionsFor?(datasource: Datasource): number;
  budget?: ConnectionBudget;
  /** How long a cold organization waits for budget before TenantBusyError. */
  busyWaitMs?: number;
  /** Runs once per new client before anyone uses it (a connection check); a failure discards the client. */
  prepareClient?(handle: TenantClientHandle): Promise<void>;
  onEvent?(event: "created" | "evicted" | "closed", key: string): void;
  /** Closed with the cache (the servers' shared pools). */
  onClose?(): Promise<void>;
}

interface Entry {
  key: string;
  server: string;
  orgId: string;
  /** Connections reserved from the budget for this client's own pool. */
  reserved: number;
  ready: Promise<TenantClientHandle>;
  /** Leases not yet released. */
  borrowed: number;
  evicted: boolean;
  /** Retired by drop()/evict() (not by the bound): never handed out again. */
  dropped?: boolean;
  closed?: Promise<void>;
  /** Resolved once the client is closed (after its last borrower). */
  gone: Promise<void>;
  markGone(): void;
}

export class OrgClientCache {
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly draining = new Set<Entry>();
  readonly stats = { created: 0, evicted: 0, closed: 0 };

  constructor(private readonly options: OrgClientCacheOptions) {
    if (options.maxClients < 1) throw new Error("OrgClientCache needs room for at least one client");
    // A shared pool with no connection at all, on a spent budget, makes room here.
    if (options.budget) {
      options.budget.reclaimIdle = (server) => {
        const idle = this.idleOn(server);
        if (idle) this.retire(idle);
        return Boolean(idle);
      };
    }
  }

  /** The connection budget of the servers (benchmarks and tests read its peaks). */
  get budget(): ConnectionBudget | undefined {
    return this.options.budget;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  async acquire(datasource: Datasource): Promise<OrgClientLease> {
    let entry = this.entries.get(datasource.key);
    if (entry) {
      this.entries.delete(entry.key); // move to most recently used
      this.entries.set(entry.key, entry);
    } else {
      entry = this.revive(datasource.key) ?? this.create(datasource);
    }
    entry.borrowed++;
    let handle: TenantClientHandle;
    try {
      handle = await entry.ready;
    } catch (error) {
      this.giveBack(entry);
      throw error;
    }
    let released = false;
    const borrowed = entry;
    return {
      db: handle.db,
      release: () => {
        if (released) return;
        released = true;
        this.giveBack(borrowed);
      },
    };
  }

  /** Drops the client for a datasource (organization deleted or moved); in-flight requests finish first. */
  evict(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.retire(entry, true);
  }

  /**
   * Drops every client of an organization (deleted or moved elsewhere). Resolves once the
   * requests that borrowed them have finished and they are closed.
   */
  async drop(orgId: string): Promise<void> {
    const entries = [...this.entries.values(), ...this.draining].filter((e) => e.orgId === orgId);
    for (const entry of entries) this.retire(entry, true);
    await Promise.all(entries.map((e) => e.gone));
  }

  /** The organizations with a cached client. */
  orgIds(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.orgId))];
  }

  /** Whether a client of this organization is cached (not counting ones draining after eviction). */
  hasOrg(orgId: string): boolean {
    return [...this.entries.values()].some((e) => e.orgId === orgId);
  }

  /** Closes every client, waiting for none: for shutdown after the server stopped accepting requests. */
  async close(): Promise<void> {
    const all = [...this.entries.values(), ...this.draining];
    this.entries.clear();
    this.draining.clear();
    await Promise.all(all.map((entry) => this.closeEntry(entry)));
    await this.options.onClose?.();
  }

  private create(datasource: Datasource): Entry {
    const connections = this.options.connectionsFor?.(datasource) ?? 0;
    let markGone!: () => void;
    const gone = new Promise<void>((resolve) => (markGone = resolve));
    const entry: Entry = {
      key: datasource.key,
      server: datasource.server,
      orgId: datasource.orgId,
      gone,
      markGone,
      reserved: 0,
      borrowed: 0,
      evicted: false,
      ready: undefined as never,
    };
    entry.ready = (async () => {
      if (connections > 0 && this.options.budget) {
        await this.reserve(entry, connections);
        entry.reserved = connections;
      }
      let handle: TenantClientHandle;
      try {
        handle = this.options.createClient(datasource);
      } catch (error) {
        this.releaseBudget(entry);
        throw error;
      }
      this.stats.created++;
      this.options.onEvent?.("created", datasource.key);
      try {
        await this.options.prepareClient?.(handle);
      } catch (error) {
        await handle.close().catch(() => undefined);
        this.releaseBudget(entry);
        throw error;
      }
      return handle;
    })();
    // A failed creation must not stay cached: the next request tries again.
    entry.ready.catch(() => {
      if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    });
    this.entries.set(entry.key, entry);
    this.enforceBound();
    return entry;
  }

  /** Takes `connections` from the server's budget, evicting idle clients there, or waiting for one. */
  private async reserve(self: Entry, connections: number): Promise<void> {
    const budget = this.options.budget!;
    const deadline = Date.now() + (this.options.busyWaitMs ?? 2000);
    for (;;) {
      if (budget.tryReserve(self.server, connections)) return;
      // Idle connections busy organizations grew beyond their first go first: they cost no client.
      if (budget.shedIdle(self.server)) {
        await budget.waitForChange(Math.max(1, deadline - Date.now())); // counted until closed
        continue;
      }
      const idle = this.idleOn(self.server, self);
      if (idle) {
        this.retire(idle);
        await this.closeEntry(idle);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TenantBusyError(
          `server ${self.server}: connection budget of ${budget.capacity} in use by busy organizations`,
        );
      }
      await budget.waitForChange(left);
    }
  }

  /**
   * A client evicted by the bound while still borrowed is alive until its requests finish: a
   * request for the same datasource meanwhile takes it back rather than creating a second
   * client (without this, a burst over more organizations than the bound creates a client per
   * request and exhausts the connection budget).
   */
  private revive(key: string): Entry | undefined {
    const entry = [...this.draining].find((e) => e.key === key && !e.dropped && !e.closed);
    if (!entry) return undefined;
    this.draining.delete(entry);
    entry.evicted = false;
    this.entries.set(key, entry);
    this.enforceBound();
    return entry;
  }

  /** The least recently used client on `server` with its own connections that nobody is using. */
  private idleOn(server: string, except?: Entry): Entry | undefined {
    return [...this.entries.values(), ...this.draining].find(
      (e) => e !== except && e.server === server && e.reserved > 0 && e.borrowed === 0,
    );
  }

  private enforceBound(): void {
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.options.maxClients) break;
      this.retire(entry);
    }
  }

  private retire(entry: Entry, dropped = false): void {
    if (dropped) entry.dropped = true;
    if (entry.evicted) return;
    this.entries.delete(entry.key);
    entry.evicted = true;
    this.stats.evicted++;
    this.options.onEvent?.("evicted", entry.key);
    if (entry.borrowed === 0) void this.closeEntry(entry);
    else this.draining.add(entry);
  }

  private giveBack(entry: Entry): void {
    entry.borrowed--;
    if (entry.evicted && entry.borrowed === 0 && this.draining.delete(entry)) void this.closeEntry(entry);
    // A waiting cold organization may now evict this one.
    if (entry.borrowed === 0 && entry.reserved > 0) this.options.budget?.wake();
  }

  private closeEntry(entry: Entry): Promise<void> {
    entry.closed ??= (async () => {
      const handle = await entry.ready.catch(() => undefined);
      if (!handle) return;
      await handle.close().catch(() => undefined);
      this.releaseBudget(entry);
      this.stats.closed++;
      this.options.onEvent?.("closed", entry.key);
    })().finally(entry.markGone);
    return entry.closed;
  }

  private releaseBudget(entry: Entry): void {
    if (entry.reserved > 0) {
      this.options.budget?.release(entry.server, entry.reserved);
      entry.reserved = 0;
    }
  }
}
