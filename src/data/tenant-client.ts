// Construction of organization-data clients, one function per isolation tier. Only
// src/tenancy may import this module; resolvers get ctx.db.
//
// - DATABASE: a client with its own small pool on the organization's own database.
// - SCHEMA:   a client on the server's shared pool whose queries name the organization's
//             schema (the adapter's `schema` option qualifies every table).
// - SHARED:   a client on the server's shared pool (connected as the application role,
//             subject to row-level security) that runs every operation in a transaction
//             which first sets app.org_id with set_config(..., true): transaction-local, so
//             a pooled connection never carries one organization's setting into another's.
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/tenant/client.ts";

export type TenantDb = PrismaClient;

export interface TenantClientHandle {
  db: TenantDb;
  /** Disconnects the client; closes its pool only when it owns one. */
  close(): Promise<void>;
}

/** Receives every SQL statement a client sends (statement-count tests, trace logs). */
export type QueryListener = (sql: string, durationMs: number) => void;

function newClient(adapter: PrismaPg, onQuery: QueryListener | undefined): TenantDb {
  if (!onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => onQuery(event.query, event.duration));
  return db;
}

/**
 * DATABASE tier: one database per organization, on the organization's own small pool (made
 * by src/tenancy, which counts its connections in the server's budget). Closing the client
 * closes that pool.
 */
export function createDatabaseTierClient(pool: pg.Pool, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(pool), onQuery);
  return {
    db,
    close: async () => {
      await db.$disconnect();
      await pool.end();
    },
  };
}

/** SCHEMA tier: the organization's schema in a shared database, on the server's shared pool. */
export function createSchemaTierClient(pool: pg.Pool, schema: string, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(pool, { schema }), onQuery);
  // $disconnect leaves an external pool open (no disposeExternalPool): the pool is the server's.
  return { db, close: () => db.$disconnect() };
}

/** The unscoped client on a SHARED database's pool; never handed to a request itself. */
export function createSharedBaseClient(pool: pg.Pool, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(pool), onQuery);
  return { db, close: () => db.$disconnect() };
}

/**
 * How long a SHARED-tier operation waits for a pooled connection before it fails (Prisma's
 * transaction default is 2 s; the other tiers' pools wait for a connection as long as it takes).
 * A burst of requests over the shared pool queues instead of failing.
 */
const CONNECTION_WAIT_MS = 10_000;

export class UnsupportedInSharedTierError extends Error {
  override name = "UnsupportedInSharedTierError";
}

/**
 * SHARED tier: the base client, scoped to one organization by row-level security. Every
 * operation runs as `BEGIN; SELECT set_config('app.org_id', <org>, true); <operation>; COMMIT`.
 * Interactive transactions set it once, first thing, and run on the unscoped transaction
 * client (already scoped by the setting).
 */
export function scopeToOrganization(base: TenantDb, orgId: string): TenantDb {
  const setOrg = (client: Pick<TenantDb, "$executeRaw">) =>
    client.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true)`;
  const scoped = base.$extends({
    query: {
      async $allOperations({ args, query }) {
        const [, result] = await base.$transaction([setOrg(base), query(args)], { maxWait: CONNECTION_WAIT_MS });
        return result;
      },
    },
  });
  const transaction = (work: unknown, options?: Parameters<TenantDb["$transaction"]>[1]) => {
    if (typeof work !== "function") {
      throw new UnsupportedInSharedTierError(
        "batch $transaction([...]) is not supported for SHARED-tier clients: use $transaction(async (tx) => ...)",
      );
    }
    return base.$transaction(
      async (tx) => {
        await setOrg(tx);
        return (work as (tx: unknown) => Promise<unknown>)(tx);
      },
      { maxWait: CONNECTION_WAIT_MS, ...options },
    );
  };
  return new Proxy(scoped, {
    get(target, property, receiver) {
      if (property === "$transaction") return transaction;
      return Reflect.get(target, property, receiver);
    },
  }) as unknown as TenantDb;
}
