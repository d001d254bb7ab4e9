// Organization clients, cached by datasource. Bounded (LRU): adding a client beyond the
// bound evicts the least recently used one, which is disconnected as soon as the requests
// that borrowed it have finished, so eviction never breaks a request in flight.
// Creation is single-flight: concurrent first requests for a cold organization share one
// client (and one connection check).
import { createTenantClient, type QueryListener, type TenantClientHandle, type TenantDb } from "../data/tenant-client.ts";
import type { Datasource } from "./placement.ts";

export interface OrgClientLease {
  db: TenantDb;
  /** Returns the client to the cache; idempotent. */
  release(): void;
}

export interface OrgClientCacheOptions {
  maxClients: number;
  /** Builds a client for a datasource; its pool connects lazily. */
  createClient(datasource: Datasource): TenantClientHandle;
  /** Runs once per new client before anyone uses it (a connection check); a failure discards the client. */
  verifyClient?(db: TenantDb): Promise<void>;
  onEvent?(event: "created" | "evicted" | "closed", key: string): void;
}

interface Entry {
  key: string;
  ready: Promise<TenantClientHandle>;
  /** Leases not yet released. */
  borrowed: number;
  evicted: boolean;
}

export class OrgClientCache {
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly draining = new Set<Entry>();
  readonly stats = { created: 0, evicted: 0, closed: 0 };

  constructor(private readonly options: OrgClientCacheOptions) {
    if (options.maxClients < 1) throw new Error("OrgClientCache needs room for at least one client");
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
      entry = this.create(datasource);
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
    return {
      db: handle.db,
      release: () => {
        if (released) return;
        released = true;
        this.giveBack(entry);
      },
    };
  }

  /** Drops the client for a datasource (organization deleted or moved); in-flight requests finish first. */
  evict(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.retire(entry);
  }

  /** Closes every client, waiting for none: for shutdown after the server stopped accepting requests. */
  async close(): Promise<void> {
    const all = [...this.entries.values(), ...this.draining];
    this.entries.clear();
    this.draining.clear();
    await Promise.all(all.map((entry) => this.closeEntry(entry)));
  }

  private create(datasource: Datasource): Entry {
    const entry: Entry = { key: datasource.key, borrowed: 0, evicted: false, ready: undefined as never };
    entry.ready = (async () => {
      const handle = this.options.createClient(datasource);
      this.stats.created++;
      this.options.onEvent?.("created", datasource.key);
      try {
        await this.options.verifyClient?.(handle.db);
      } catch (error) {
        await handle.close().catch(() => undefined);
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

  private enforceBound(): void {
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.options.maxClients) break;
      this.retire(entry);
    }
  }

  private retire(entry: Entry): void {
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
  }

  private async closeEntry(entry: Entry): Promise<void> {
    const handle = await entry.ready.catch(() => undefined);
    if (!handle) return;
    await handle.close().catch(() => undefined);
    this.stats.closed++;
    this.options.onEvent?.("closed", entry.key);
  }
}

export interface OrgClientSettings {
  maxClients: number;
  /** Connections per organization client's pool (DATABASE tier). */
  poolSize: number;
  onQuery?: QueryListener;
}

/** The cache the server uses: real clients, each checked with one round trip before first use. */
export function createOrgClientCache(settings: OrgClientSettings, onEvent?: OrgClientCacheOptions["onEvent"]): OrgClientCache {
  return new OrgClientCache({
    maxClients: settings.maxClients,
    createClient: (datasource) =>
      createTenantClient({ connectionString: datasource.url, poolSize: settings.poolSize, onQuery: settings.onQuery }),
    verifyClient: async (db) => {
      await db.$queryRaw`SELECT 1`;
    },
    onEvent,
  });
}
