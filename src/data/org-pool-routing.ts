// The DATABASE and SCHEMA tiers' one Prisma client each per process, below Prisma. Each
// DATABASE-tier organization keeps its own small pool, connected as its own role to its own
// database; each SCHEMA-tier organization a view of its server's shared pool that runs as its
// role in its schema (src/tenancy/org-clients.ts). What they no longer have is a Prisma client
// of their own: each new one started a query compiler and compiled every query again (Prisma
// keeps query plans per client), which made an organization's first request several times
// slower than the next and cost a megabyte or more per cached organization.
//
// The pool the organization's operations use travels in an AsyncLocalStorage context
// (withOrgPool, entered by the organization's view of the client: scopedClient in
// tenant-client.ts), and the routing pool PrismaPg is given borrows every connection from it.
// Outside one, a statement is refused before it reaches any server, so nothing can run on a
// connection that was not chosen for its organization.
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";

const currentPool = new AsyncLocalStorage<pg.Pool>();

export class NoOrganizationPoolError extends Error {
  override name = "NoOrganizationPoolError";
  constructor() {
    super("a DATABASE- or SCHEMA-tier statement was sent outside an organization's scope");
  }
}

/** Runs `work` (and every statement it sends through the routing pool) on `pool`. */
export function withOrgPool<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  return currentPool.run(pool, work);
}

function poolInScope(): pg.Pool {
  const pool = currentPool.getStore();
  if (!pool) throw new NoOrganizationPoolError();
  return pool;
}

/** A pg.Pool (PrismaPg accepts only pg.Pool instances) that never connects itself: every query and connection is the scope's pool's. */
export function orgRoutingPool(): pg.Pool {
  const routing = new pg.Pool();
  routing.setMaxListeners(0);
  Object.defineProperties(routing, {
    // Promise forms only (what PrismaPg uses): a refusal is a rejection, like any failed query.
    query: { value: async (...args: Parameters<pg.Pool["query"]>) => poolInScope().query(...args) },
    connect: { value: async () => poolInScope().connect() },
  });
  return routing;
}
