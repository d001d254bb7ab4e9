// The shared pools of each server: one per SCHEMA-tier host database (all of that
// server's schema organizations share it, connected as the switcher role) and one per SHARED-tier database (connected as
// the application role, which owns nothing and cannot bypass row-level security). Each
// pool reserves its size from the server's connection budget when it is first opened.
import pg from "pg";
import { rolePassword, roleUrl, switcherRoleName, type AppRole } from "../data/request-roles.ts";
import {
  createSharedBaseClient,
  type QueryListener,
  type TenantClientHandle,
  type TenantDb,
} from "../data/tenant-client.ts";
import type { ConnectionBudget } from "./connection-budget.ts";
import type { Datasource } from "../data/placement.ts";

export interface ServerPoolsOptions {
  poolSize: number;
  appRole: AppRole;
  budget: ConnectionBudget;
  onQuery?: QueryListener;
  onError?: (error: Error) => void;
  /** statement_timeout of every connection (ms), sent in the startup message: no extra round trip. */
  statementTimeoutMs?: number;
}

export class ServerPools {
  private readonly pools = new Map<string, { server: string; pool: pg.Pool }>();
  private readonly sharedBases = new Map<string, TenantClientHandle>();

  constructor(private readonly options: ServerPoolsOptions) {}

  /** The pool of a SCHEMA-tier host database, connected as the switcher role (no rights of its own). */
  schemaPool(datasource: Datasource): pg.Pool {
    const switcher = switcherRoleName(this.options.appRole);
    const url = roleUrl(datasource.url, switcher, rolePassword(this.options.appRole, switcher));
    return this.pool(`schema:${datasource.server}/${datasource.database}`, datasource.server, url);
  }

  /** The unscoped client of a SHARED-tier database, on its application-role pool. */
  sharedBase(datasource: Datasource): TenantDb {
    const key = `shared:${datasource.server}/${datasource.database}`;
    let handle = this.sharedBases.get(key);
    if (!handle) {
      const pool = this.pool(
        key,
        datasource.server,
        roleUrl(datasource.url, this.options.appRole.name, this.options.appRole.password),
      );
      handle = createSharedBaseClient(pool, this.options.onQuery);
      this.sharedBases.set(key, handle);
    }
    return handle.db;
  }

  /** Each shared pool's connections (metrics). */
  usage(): Array<{ server: string; kind: "schema" | "shared"; total: number; idle: number; waiting: number }> {
    return [...this.pools].map(([key, { server, pool }]) => ({
      server,
      kind: key.startsWith("schema:") ? "schema" : "shared",
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.sharedBases.values()].map((h) => h.close().catch(() => undefined)));
    this.sharedBases.clear();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(
      pools.map(async ({ server, pool }) => {
        await pool.end().catch(() => undefined);
        this.options.budget.release(server, this.options.poolSize);
      }),
    );
  }

  private pool(key: string, server: string, connectionString: string): pg.Pool {
    let entry = this.pools.get(key);
    if (!entry) {
      const pool = new pg.Pool({
        connectionString,
        max: this.options.poolSize,
        idleTimeoutMillis: 30_000,
        statement_timeout: this.options.statementTimeoutMs || undefined,
      });
      pool.setMaxListeners(0); // every schema client's adapter adds an error listener
      pool.on("error", (error) => this.options.onError?.(error));
      this.options.budget.forceReserve(server, this.options.poolSize);
      entry = { server, pool };
      this.pools.set(key, entry);
    }
    return entry.pool;
  }
}
