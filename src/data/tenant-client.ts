// Construction of organization-data clients, one function per isolation tier. Only
// src/tenancy may import this module; resolvers get ctx.db.
//
// - DATABASE: a client with its own small pool on the organization's own database.
// - SCHEMA:   a client on the server's shared pool whose queries name the organization's
//             schema (the adapter's `schema` option qualifies every table).
// - SHARED:   one client per SHARED database on the server's shared pool (connected as the
//             application role, subject to row-level security), whose pool wrapper sets
//             app.org_id with set_config(..., true) for every statement, in the same round
//             trip (shared-tier-pool.ts): transaction-local, so a pooled connection never
//             carries one organization's setting into another's. Each organization's view of
//             it runs its operations as that organization (asOrganization).
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/tenant/client.ts";
import { asOrganization, orgSettingPool } from "./shared-tier-pool.ts";

export type TenantDb = PrismaClient;

export interface TenantClientHandle {
  db: TenantDb;
  /** Disconnects the client; closes its pool only when it owns one. */
  close(): Promise<void>;
  /**
   * Readies a new client before its first request, failing when its database cannot be
   * reached: starts Prisma's engine (CPU here) while the connection check waits on the
   * server, side by side, so a cold organization pays for the longer of the two only.
   */
  prepare(): Promise<void>;
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
    // Opening the first connection is the check: it stays open while the client is cached.
    prepare: async () => {
      await Promise.all([db.$connect(), pool.connect().then((connection) => connection.release())]);
    },
  };
}

/** SCHEMA tier: the organization's schema in a shared database, on the server's shared pool. */
export function createSchemaTierClient(pool: pg.Pool, schema: string, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(pool, { schema }), onQuery);
  // $disconnect leaves an external pool open (no disposeExternalPool): the pool is the server's.
  return {
    db,
    close: () => db.$disconnect(),
    // Through the role-switching pool: switching to the organization's role must work.
    prepare: async () => {
      await Promise.all([db.$connect(), pool.query("SELECT 1")]);
    },
  };
}

/**
 * The client of a SHARED database, on its pool; never handed to a request itself. Its
 * statements run only inside asOrganization (scopeToOrganization), which the pool wrapper
 * turns into the organization setting; outside one they are refused.
 */
export function createSharedBaseClient(pool: pg.Pool, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(orgSettingPool(pool)), onQuery);
  return { db, close: () => db.$disconnect(), prepare: () => db.$connect() };
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
 * SHARED tier: the base client, as one organization. Every operation (model queries, raw SQL,
 * interactive transactions) runs inside asOrganization, so the pool wrapper sets app.org_id in
 * the same round trip; Prisma itself sees plain model queries (its query plan cache applies).
 *
 * Prisma batches findUnique calls made in the same tick into one query, run in the context of
 * the first caller: those of several organizations must never share one, so findUnique runs as
 * the equivalent findFirst (never batched). Batch transactions `$transaction([...])` are not
 * supported (they are batched the same way); interactive transactions are.
 */
export function scopeToOrganization(base: TenantDb, orgId: string): TenantDb {
  const delegates = base as unknown as Record<string, Record<string, (args: unknown) => Promise<unknown>>>;
  const scoped = base.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        return asOrganization(orgId, async () => {
          if (model && (operation === "findUnique" || operation === "findUniqueOrThrow")) {
            const delegate = delegates[model.charAt(0).toLowerCase() + model.slice(1)]!;
            return delegate[operation === "findUnique" ? "findFirst" : "findFirstOrThrow"]!(args);
          }
          return query(args);
        });
      },
    },
  });
  const transaction = (work: unknown, options?: Parameters<TenantDb["$transaction"]>[1]) => {
    if (typeof work !== "function") {
      throw new UnsupportedInSharedTierError(
        "batch $transaction([...]) is not supported for SHARED-tier clients: use $transaction(async (tx) => ...)",
      );
    }
    // The transaction's connection is scoped when it begins (the pool wrapper's BEGIN).
    return asOrganization(orgId, () =>
      base.$transaction(work as (tx: unknown) => Promise<unknown>, { maxWait: CONNECTION_WAIT_MS, ...options }),
    );
  };
  return new Proxy(scoped, {
    get(target, property, receiver) {
      if (property === "$transaction") return transaction;
      return Reflect.get(target, property, receiver);
    },
  }) as unknown as TenantDb;
}
