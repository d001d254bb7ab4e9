// A pg.Pool that borrows another pool's connections and scopes every transaction it runs:
// the SHARED tier's organization setting (shared-tier-pool.ts) and the SCHEMA tier's role
// switch (src/tenancy/role-scoped-pool.ts) are each one ConnectionScope. It is what PrismaPg
// is given, so no Prisma operation can skip the scope:
//  - a statement outside a transaction is sent with the scope's statements before (and
//    after) it before one Sync (pipelined-query.ts): one round trip;
//  - Prisma's BEGIN becomes the scope's own opening (`BEGIN; <scope>`, one simple query), and
//    the transaction's statements follow as they are, until its COMMIT or ROLLBACK.
// Every scope is transaction-local, so a connection goes back to the pool (or PgBouncer in
// transaction mode hands it to another client) without it.
import pg from "pg";
import { queryPipelined, type ScopeStatement } from "./pipelined-query.ts";

type QueryConfig = string | (pg.QueryConfig & { text: string });

export interface ConnectionScope {
  /** Sent for Prisma's BEGIN as one simple query: opens the transaction and scopes it. */
  begin: string;
  /**
   * Sent before a statement run outside a transaction, in its round trip. Starting with BEGIN
   * (an explicit transaction), a failure is followed by a ROLLBACK.
   */
  before: readonly ScopeStatement[];
  /** Sent after it (a COMMIT where `before` opens an explicit transaction). */
  after?: readonly ScopeStatement[];
  /** Throws to refuse a statement (trimmed text) before it reaches the server. BEGIN is never checked. */
  check?(text: string, inTransaction: boolean): void;
  /** Rewrites a checked statement's text before it is sent (the SCHEMA tier names the organization's schema). */
  rewrite?(text: string): string;
}

type Borrowed = pg.PoolClient & { broken?: Error };

function textOf(query: QueryConfig): string {
  return typeof query === "string" ? query : query.text;
}

function rewritten(query: QueryConfig, scope: ConnectionScope): QueryConfig {
  if (!scope.rewrite) return query;
  return typeof query === "string" ? scope.rewrite(query) : { ...query, text: scope.rewrite(query.text) };
}

/**
 * A pg.Pool (PrismaPg accepts only pg.Pool instances) on `base`'s connections. `scopeOf` is
 * asked once per query() and per connect(), before a connection is borrowed: it may throw.
 */
export function scopedPool(base: pg.Pool, scopeOf: () => ConnectionScope): pg.Pool {
  const scoped = new pg.Pool(base.options); // never connects: connect() and query() below borrow from `base`
  scoped.setMaxListeners(0);
  Object.defineProperties(scoped, {
    query: {
      value: async (query: QueryConfig) => {
        const scope = scopeOf();
        scope.check?.(textOf(query).trim(), false);
        const connection = await borrow(base);
        try {
          return await runScoped(connection.client, scope, rewritten(query, scope));
        } finally {
          connection.release();
        }
      },
    },
    connect: {
      value: async () => {
        const scope = scopeOf();
        return clientView(await borrow(base), scope);
      },
    },
  });
  return scoped;
}

/** A checked-out connection with a listener for its "error" event, released with the error it saw. */
async function borrow(base: pg.Pool) {
  const client: Borrowed = await base.connect();
  // A checked-out client's connection may die at any moment (a terminated backend):
  // without a listener its "error" event would crash the process.
  const onError = (error: Error) => (client.broken = error);
  client.on("error", onError);
  const release = (error?: Error | boolean) => {
    client.removeListener("error", onError);
    client.release(error || client.broken);
  };
  return { client, release };
}

/**
 * One statement outside a transaction, in one round trip with the scope's statements. Where
 * they open an explicit transaction, an error leaves it failed: it is rolled back, and a
 * connection that cannot even do that is marked broken.
 */
async function runScoped(client: Borrowed, scope: ConnectionScope, query: QueryConfig): Promise<pg.QueryResult> {
  try {
    return await queryPipelined(client, scope.before, query, scope.after);
  } catch (error) {
    if (scope.before[0]?.text === "BEGIN") {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (client.broken = rollbackError));
    }
    throw error;
  }
}

/** The client Prisma's interactive transactions (and single statements) get from connect(). */
function clientView({ client, release }: Awaited<ReturnType<typeof borrow>>, scope: ConnectionScope): pg.PoolClient {
  let inTransaction = false;
  const view = {
    on: (event: string, listener: (...args: unknown[]) => void) => (client.on(event as "error", listener), view),
    removeListener: (event: string, listener: (...args: unknown[]) => void) => (
      client.removeListener(event, listener),
      view
    ),
    release,
    query: async (query: QueryConfig) => {
      const text = textOf(query).trim();
      if (text === "BEGIN") {
        const results = (await client.query(scope.begin)) as unknown as pg.QueryResult[] | pg.QueryResult;
        inTransaction = true;
        return Array.isArray(results) ? results[0] : results;
      }
      scope.check?.(text, inTransaction);
      if (!inTransaction) return runScoped(client, scope, rewritten(query, scope));
      if (text === "COMMIT" || text === "ROLLBACK") inTransaction = false;
      return client.query(rewritten(query, scope) as pg.QueryConfig);
    },
  };
  return view as unknown as pg.PoolClient;
}
