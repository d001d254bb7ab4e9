// One Prisma client shared by many organizations, seen as one of them. The SHARED tier shares
// one client per SHARED database (the organization setting, shared-tier-pool.ts), the DATABASE
// and SCHEMA tiers one client each per process (the organization's own pool, org-pool-routing.ts):
// each organization's view runs every operation (model queries, raw SQL, interactive
// transactions) inside its scope, which the pool wrapper below Prisma reads; Prisma itself
// sees plain model queries, so its query plan cache serves every organization.
//
// Prisma batches findUnique calls made in the same tick into one query, run in the context of
// the first caller: those of several organizations must never share one, so findUnique runs as
// the equivalent findFirst (never batched). Batch transactions `$transaction([...])` are not
// supported (they are batched the same way); interactive transactions are.
import type { PrismaClient } from "./generated/tenant/client.ts";

/** Runs `work` in an organization's scope (asOrganization, withOrgPool). */
export type EnterScope = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * How long an operation waits for a pooled connection before it fails (Prisma's transaction
 * default is 2 s; pools otherwise wait for a connection as long as it takes). A burst of
 * requests over a pool queues instead of failing.
 */
const CONNECTION_WAIT_MS = 10_000;

export class UnsupportedInSharedTierError extends Error {
  override name = "UnsupportedInSharedTierError";
}

/** `base`, as the organization whose scope `enter` opens. */
export function scopedClient(base: PrismaClient, enter: EnterScope): PrismaClient {
  const delegates = base as unknown as Record<string, Record<string, (args: unknown) => Promise<unknown>>>;
  const scoped = base.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        return enter(async () => {
          if (model && (operation === "findUnique" || operation === "findUniqueOrThrow")) {
            const delegate = delegates[model.charAt(0).toLowerCase() + model.slice(1)]!;
            return delegate[operation === "findUnique" ? "findFirst" : "findFirstOrThrow"]!(args);
          }
          return query(args);
        });
      },
    },
  });
  const transaction = (work: unknown, options?: Parameters<PrismaClient["$transaction"]>[1]) => {
    if (typeof work !== "function") {
      throw new UnsupportedInSharedTierError(
        "batch $transaction([...]) is not supported for organization clients: use $transaction(async (tx) => ...)",
      );
    }
    // The transaction's connection is chosen (and scoped) when it begins.
    return enter(() =>
      base.$transaction(work as (tx: unknown) => Promise<unknown>, { maxWait: CONNECTION_WAIT_MS, ...options }),
    );
  };
  return new Proxy(scoped, {
    get(target, property, receiver) {
      if (property === "$transaction") return transaction;
      return Reflect.get(target, property, receiver);
    },
  }) as unknown as PrismaClient;
}
