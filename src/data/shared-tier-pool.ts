// The SHARED tier's organization setting, below Prisma. A SHARED database has one pool and one
// Prisma client for all its organizations; the organization of each operation travels in an
// AsyncLocalStorage context (asOrganization, entered by the scoped client in
// tenant-client.ts), and this pool wrapper, which PrismaPg is given, sets it for every
// statement Prisma sends:
//  - a single operation: `SELECT set_config('app.org_id', $1, true)` and the query before one
//    Sync (pipelined-query.ts): one round trip, one implicit transaction;
//  - an interactive transaction: its BEGIN becomes `BEGIN; SELECT set_config(...)`, one simple
//    query with the organization's validated UUID as a literal; its statements follow as usual.
// The setting is transaction-local (never a session SET), so a pooled connection, also behind
// PgBouncer in transaction pooling mode, never carries one organization into another's work.
// No organization in the context: the statement is refused before it reaches the server.
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { isUuid } from "../ids.ts";
import { queryPipelined, type ScopeStatement } from "./pipelined-query.ts";

const currentOrg = new AsyncLocalStorage<string>();

export class NoOrganizationScopeError extends Error {
  override name = "NoOrganizationScopeError";
  constructor() {
    super("a SHARED-tier statement was sent outside an organization's scope");
  }
}

/** Runs `work` (and every statement it sends through a SHARED-tier pool) as organization `orgId`. */
export function asOrganization<T>(orgId: string, work: () => Promise<T>): Promise<T> {
  if (!isUuid(orgId)) throw new Error(`not an organization id: ${orgId}`);
  return currentOrg.run(orgId.toLowerCase(), work);
}

function scopeOf(): string {
  const orgId = currentOrg.getStore();
  if (!orgId) throw new NoOrganizationScopeError();
  return orgId;
}

const setOrg = (orgId: string): ScopeStatement => ({
  text: "SELECT set_config('app.org_id', $1, true)",
  values: [orgId],
});

type QueryConfig = string | (pg.QueryConfig & { text: string });
type Borrowed = pg.PoolClient & { broken?: Error; onBroken?: (error: Error) => void };

/** A pg.Pool (PrismaPg accepts only pg.Pool instances) that borrows `base`'s connections and scopes every statement. */
export function orgSettingPool(base: pg.Pool): pg.Pool {
  const borrow = async (): Promise<Borrowed> => {
    const client: Borrowed = await base.connect();
    // A checked-out client's connection may die at any moment: without a listener its "error" event would crash the process.
    client.onBroken = (error: Error) => (client.broken = error);
    client.on("error", client.onBroken);
    return client;
  };
  const giveBack = (client: Borrowed, error?: Error | boolean) => {
    client.removeListener("error", client.onBroken!);
    client.release(error || client.broken);
  };

  const scoped = new pg.Pool(base.options); // never connects: connect() and query() below borrow from `base`
  scoped.setMaxListeners(0);
  Object.defineProperties(scoped, {
    query: {
      value: async (query: QueryConfig) => {
        const orgId = scopeOf();
        const client = await borrow();
        try {
          return await queryPipelined(client, [setOrg(orgId)], query);
        } finally {
          giveBack(client);
        }
      },
    },
    connect: {
      value: async () => {
        const orgId = scopeOf();
        const client = await borrow();
        let inTransaction = false;
        const view = {
          on: (event: string, listener: (...args: unknown[]) => void) => (client.on(event as "error", listener), view),
          removeListener: (event: string, listener: (...args: unknown[]) => void) => (
            client.removeListener(event, listener),
            view
          ),
          release: (error?: Error | boolean) => giveBack(client, error),
          query: async (query: QueryConfig) => {
            const text = (typeof query === "string" ? query : query.text).trim();
            if (text === "BEGIN") {
              // orgId is a validated UUID (asOrganization): safe as a literal.
              const results = (await client.query(
                `BEGIN; SELECT set_config('app.org_id', '${orgId}', true)`,
              )) as unknown as pg.QueryResult[];
              inTransaction = true;
              return results[0];
            }
            if (!inTransaction) return queryPipelined(client, [setOrg(orgId)], query);
            if (text === "COMMIT" || text === "ROLLBACK") inTransaction = false;
            return client.query(query as pg.QueryConfig);
          },
        };
        return view as unknown as pg.PoolClient;
      },
    },
  });
  return scoped;
}
