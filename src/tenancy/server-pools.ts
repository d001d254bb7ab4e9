// The shared pools of each server: one per SCHEMA-tier host database (all of that
// server's schema organizations share it, connected as the switcher role) and one per SHARED-tier database (connected as
// the application role, which owns nothing and cannot bypass row-level security). Each
// pool counts its connections in the server's connection budget as it opens them
// (BudgetedPool): an idle shared pool costs nothing, a busy one grows while there is room.
import type pg from "pg";
import { rolePassword, roleUrl, switcherRoleName, type AppRole } from "../data/request-roles.ts";
import {
  createDatabaseTierBase,
  createSchemaTierBase,
  createSharedBaseClient,
  type QueryListener,
  type TenantClientHandle,
  type TenantDb,
} from "../data/tenant-client.ts";
import { BudgetedPool } from "./budgeted-pool.ts";
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
  /** "host:port" of a PgBouncer (transaction mode) in front of a server, by server name. */
  poolers?: Record<string, string>;
}

export class ServerPools {
  private readonly pools = new Map<string, pg.Pool>();
  private readonly sharedBases = new Map<string, TenantClientHandle>();
  /** The DATABASE and SCHEMA tiers' one client each (every organization of the tier has a view of it). */
  private readonly tierBases = new Map<"DATABASE" | "SCHEMA", TenantClientHandle>();
  /** Readiness checks done (or under way) once per key: forgotten when they failed, so the next request tries again. */
  private readonly checks = new Map<string, Promise<void>>();

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

  /** The client every organization of the tier in this process is a view of (tenant-client.ts scopeToOrgPool). */
  tierBase(tier: "DATABASE" | "SCHEMA"): TenantDb {
    let handle = this.tierBases.get(tier);
    if (!handle) {
      handle = (tier === "DATABASE" ? createDatabaseTierBase : createSchemaTierBase)(this.options.onQuery);
      this.tierBases.set(tier, handle);
    }
    return handle.db;
  }

  /** Its engine started: once per process (forgotten when that failed). */
  tierReady(tier: "DATABASE" | "SCHEMA"): Promise<void> {
    return this.once(`tier:${tier}`, () => {
      this.tierBase(tier);
      return this.tierBases.get(tier)!.prepare();
    });
  }

  /**
   * Readies a SHARED database for an organization's first request: the first one there starts
   * the client and opens a connection; later ones, cold or not, find both done and wait for nothing.
   */
  sharedReady(datasource: Datasource): Promise<void> {
    const key = `shared:${datasource.server}/${datasource.database}`;
    return this.once(key, async () => {
      this.sharedBase(datasource);
      const [handle, pool] = [this.sharedBases.get(key)!, this.pools.get(key)!];
      await Promise.all([handle.prepare(), pool.connect().then((connection) => connection.release())]);
    });
  }

  private once(key: string, check: () => Promise<void>): Promise<void> {
    let done = this.checks.get(key);
    if (!done) {
      done = check();
      done.catch(() => this.checks.delete(key));
      this.checks.set(key, done);
    }
    return done;
  }

  /** Each shared pool's connections (metrics). */
  usage(): Array<{ server: string; kind: "schema" | "shared"; total: number; idle: number; waiting: number }> {
    // Keys are "<kind>:<server>/<database>" (schemaPool, sharedBase).
    return [...this.pools].map(([key, pool]) => ({
      server: key.slice(key.indexOf(":") + 1, key.indexOf("/")),
      kind: key.startsWith("schema:") ? "schema" : "shared",
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.sharedBases.values()].map((h) => h.close().catch(() => undefined)));
    this.sharedBases.clear();
    this.checks.clear();
    await Promise.all([...this.tierBases.values()].map((h) => h.close().catch(() => undefined)));
    this.tierBases.clear();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }

  private pool(key: string, server: string, connectionString: string): pg.Pool {
    let pool = this.pools.get(key);
    if (!pool) {
      const pooler = this.options.poolers?.[server];
      pool = new BudgetedPool({
        connectionString: pooler ? viaPooler(connectionString, pooler) : connectionString,
        max: this.options.poolSize,
        idleTimeoutMillis: 30_000,
        // PgBouncer 1.18 refuses startup parameters it does not know: through it the
        // timeout is the login role's setting (README, "PgBouncer").
        statement_timeout: (!pooler && this.options.statementTimeoutMs) || undefined,
        budget: this.options.budget,
        server,
        floor: 0,
      });
      pool.setMaxListeners(0); // every schema client's adapter adds an error listener
      pool.on("error", (error) => this.options.onError?.(error));
      this.pools.set(key, pool);
    }
    return pool;
  }
}

/**
 * The same database and role, reached through a pooler. Statements stay unnamed (the
 * adapter's default: no statementNameGenerator), which transaction pooling carries: named
 * prepared statements would need PgBouncer 1.21's max_prepared_statements.
 */
function viaPooler(connectionString: string, pooler: string): string {
  const url = new URL(connectionString);
  url.host = pooler;
  return url.toString();
}
