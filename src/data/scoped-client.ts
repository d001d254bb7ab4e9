// One Prisma client shared by many organizations, seen as one of them. The SHARED tier shares
// one client per SHARED database (the organization setting, shared-tier-pool.ts), the DATABASE
// and SCHEMA tiers one client each per process (the organization's own pool, org-pool-routing.ts):
// each organization's view runs every operation (model queries, raw SQL, interactive
// transactions) inside its scope, which the pool wrapper below Prisma reads; Prisma itself
// sees plain model queries, so its query plan cache serves every organization.
//
// The view is a proxy, not a `$extends` query extension: a client with any extension walks
// every result row looking for result extensions (a few percent of a page's CPU), and an
// extended client per organization weighs more than a proxy. An operation starts inside the
// scope (its PrismaPromise is sent there at once, so the statement cannot run outside it);
// what the view cannot scope is refused, and a statement that escaped the scope anyway is
// refused by the pool below Prisma.
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

/** Unbatched equivalents of the operations Prisma batches across callers. */
const UNBATCHED = new Map([
  ["findUnique", "findFirst"],
  ["findUniqueOrThrow", "findFirstOrThrow"],
]);

/** The client's own operations that send SQL outside a model (raw SQL). */
const RAW_OPERATIONS = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);

/** What a view cannot scope: a new client derived from the base would run outside it. */
const REFUSED = new Set(["$extends"]);

export class UnsupportedOnOrgClientError extends Error {
  override name = "UnsupportedOnOrgClientError";
}

type Operation = (...args: unknown[]) => PromiseLike<unknown>;

/** `base`, as the organization whose scope `enter` opens. */
export function scopedClient(base: PrismaClient, enter: EnterScope): PrismaClient {
  const client = base as unknown as Record<PropertyKey, unknown>;
  // A PrismaPromise is lazy: its then(), called here (synchronously, inside the scope), sends it.
  // Async, so that an operation that throws at once (bad arguments) rejects like any other failure.
  const inScope = (operation: Operation, self: unknown, args: unknown[]) =>
    enter(async () => operation.apply(self, args).then());
  const delegates = new Map<PropertyKey, object>();

  function delegateView(name: PropertyKey, delegate: Record<string, unknown>): object {
    let view = delegates.get(name);
    if (!view) {
      view = new Proxy(delegate, {
        get(target, property) {
          const value = Reflect.get(target, property);
          if (typeof value !== "function" || typeof property !== "string") return value;
          const unbatched = UNBATCHED.get(property);
          const operation = (unbatched ? target[unbatched] : value) as Operation;
          return (...args: unknown[]) => inScope(operation, target, args);
        },
      });
      delegates.set(name, view);
    }
    return view;
  }

  const transaction = (work: unknown, options?: Parameters<PrismaClient["$transaction"]>[1]) => {
    if (typeof work !== "function") {
      throw new UnsupportedOnOrgClientError(
        "batch $transaction([...]) is not supported for organization clients: use $transaction(async (tx) => ...)",
      );
    }
    // The transaction's connection is chosen (and scoped) when it begins.
    return enter(() =>
      base.$transaction(work as (tx: unknown) => Promise<unknown>, { maxWait: CONNECTION_WAIT_MS, ...options }),
    );
  };

  return new Proxy(base, {
    get(target, property) {
      if (property === "$transaction") return transaction;
      if (REFUSED.has(property as string)) {
        throw new UnsupportedOnOrgClientError(`${String(property)} is not supported for organization clients`);
      }
      const value = client[property];
      if (RAW_OPERATIONS.has(property as string))
        return (...args: unknown[]) => inScope(value as Operation, target, args);
      // Model delegates (project, item, ...): objects whose operations send SQL.
      if (typeof property === "string" && !property.startsWith("$") && isDelegate(value))
        return delegateView(property, value);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as PrismaClient;
}

function isDelegate(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { findMany?: unknown }).findMany === "function"
  );
}
