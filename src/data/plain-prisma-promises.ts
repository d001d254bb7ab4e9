// Every Prisma operation returns a PrismaPromise: a lazy thenable that runs the operation on
// its first then() and keeps the promise of its result. Prisma 7 (runtime/client.js, the
// client's `_createPrismaPromise` field) builds it as an object literal with a getter,
// `get spec()`, closing over that state. Whatever such a getter's closure holds survives V8's
// young-generation collections (scavenges) and is promoted, to be freed only by a full
// collection: a 20-line loop of such objects paused 558 ms in scavenges, 7 ms with `spec` as a
// plain property. (Most likely because V8 gives each object so built a map of its own, held
// weakly by the shared parent map, and a scavenge keeps weakly held objects alive.) So every
// query's result, its rows, strings and Dates, was promoted: 63-76 KB of a 200-row findMany.
// It was most of the fixed-context server's 0.21-0.23 ms of GC per request (bench
// request-path, GC ms/req), which fell to 0.15-0.16 ms with this.
//
// The factory below builds the same PrismaPromise with `spec` as a plain property: the same
// laziness, caching, transaction hand-off and toStringTag. It is installed only on a client
// whose factory builds PrismaPromises with that getter, so a Prisma that stops doing so, or
// changes the factory, keeps its own.
const FACTORY = "_createPrismaPromise";

type Transaction = { kind?: string } | undefined;
type Operation = (transaction: Transaction) => unknown;
type Factory = (operation: Operation, spec?: unknown) => PromiseLike<unknown>;

function asPromise(value: unknown): Promise<unknown> {
  const thenable = value as { then?: unknown } | null | undefined;
  return typeof thenable?.then === "function" ? (value as Promise<unknown>) : Promise.resolve(value);
}

function createPlainPrismaPromise(operation: Operation, spec?: unknown) {
  let started: Promise<unknown> | undefined;
  // Outside a batch transaction an operation runs once, whoever asks; in a batch, per batch.
  const run = (transaction?: Transaction): Promise<unknown> => {
    try {
      if (transaction === undefined || transaction.kind === "itx")
        return (started ??= asPromise(operation(transaction)));
      return asPromise(operation(transaction));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    spec,
    then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      run().then(onFulfilled, onRejected),
    catch: (onRejected?: (reason: unknown) => unknown) => run().catch(onRejected),
    finally: (onFinally?: () => void) => run().finally(onFinally),
    requestTransaction(transaction: Transaction) {
      const pending = run(transaction) as Promise<unknown> & { requestTransaction?(t: Transaction): unknown };
      return pending.requestTransaction ? pending.requestTransaction(transaction) : pending;
    },
    [Symbol.toStringTag]: "PrismaPromise",
  };
}

/** Whether `factory` builds PrismaPromises whose `spec` is a getter (building one runs nothing: they are lazy). */
function buildsGetterPromises(factory: unknown): factory is Factory {
  if (typeof factory !== "function") return false;
  const probe = (factory as Factory)(() => undefined, undefined) as object;
  const spec = Object.getOwnPropertyDescriptor(probe, "spec");
  return Object.prototype.toString.call(probe) === "[object PrismaPromise]" && typeof spec?.get === "function";
}

/** Gives `client` (a Prisma client) PrismaPromises whose results a scavenge can free; returns it. */
export function withPlainPrismaPromises<T extends object>(client: T): T {
  const fields = client as Record<string, unknown>;
  if (buildsGetterPromises(fields[FACTORY])) fields[FACTORY] = createPlainPrismaPromise;
  return client;
}

/** Whether `client`'s operations return the plain PrismaPromises above (tests). */
export function hasPlainPrismaPromises(client: object): boolean {
  return (client as Record<string, unknown>)[FACTORY] === createPlainPrismaPromise;
}
