// The SHARED tier's organization setting, below Prisma. A SHARED database has one pool and one
// Prisma client for all its organizations; the organization of each operation travels in an
// AsyncLocalStorage context (asOrganization, entered by the scoped client in
// tenant-client.ts), and this pool wrapper (scoped-pool.ts), which PrismaPg is given, sets it
// for every statement Prisma sends:
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
import { scopedPool } from "./scoped-pool.ts";

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

function currentOrgId(): string {
  const orgId = currentOrg.getStore();
  if (!orgId) throw new NoOrganizationScopeError();
  return orgId;
}

/** Every statement as the organization of the context; no organization: refused before a connection is borrowed. */
export function orgSettingPool(base: pg.Pool): pg.Pool {
  return scopedPool(base, () => {
    const orgId = currentOrgId();
    return {
      // orgId is a validated UUID (asOrganization): safe as a literal.
      begin: `BEGIN; SELECT set_config('app.org_id', '${orgId}', true)`,
      before: [{ text: "SELECT set_config('app.org_id', $1, true)", values: [orgId] }],
    };
  });
}
