// Prisma's PrismaPromise has a getter (`get spec()`) over the operation's state, which made
// every query's result survive V8's young-generation collections (src/data/plain-prisma-promises.ts).
// The clients tenantgraph builds get PrismaPromises with a plain `spec`, which behave as
// Prisma's do: lazy, run once, handed to transactions, failures as rejections.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createCentralClient } from "../../src/data/central-client.ts";
import { hasPlainPrismaPromises, withPlainPrismaPromises } from "../../src/data/plain-prisma-promises.ts";
import { createDatabaseTierBase, createSchemaTierBase } from "../../src/data/tenant-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

/** A client whose factory builds PrismaPromises as Prisma 7's does (a getter for `spec`). */
function clientLikePrisma() {
  return {
    _createPrismaPromise: (operation: (transaction?: unknown) => unknown, spec?: unknown) => {
      let started: Promise<unknown> | undefined;
      const run = () => (started ??= Promise.resolve(operation(undefined)));
      return {
        get spec() {
          return spec;
        },
        then: (resolve?: (v: unknown) => unknown, reject?: (e: unknown) => unknown) => run().then(resolve, reject),
        [Symbol.toStringTag]: "PrismaPromise",
      };
    },
  };
}

type Factory = (operation: (transaction?: unknown) => unknown, spec?: unknown) => PromiseLike<unknown> & object;

describe("the PrismaPromise factory", () => {
  const factory = () => withPlainPrismaPromises(clientLikePrisma())._createPrismaPromise as unknown as Factory;

  it("replaces a factory whose PrismaPromises have a getter, and only such a factory", () => {
    expect(hasPlainPrismaPromises(withPlainPrismaPromises(clientLikePrisma()))).toBe(true);
    const ownFactory = () => ({ spec: 1, then: () => undefined, [Symbol.toStringTag]: "PrismaPromise" });
    const client = { _createPrismaPromise: ownFactory };
    expect(withPlainPrismaPromises(client)._createPrismaPromise).toBe(ownFactory);
    expect(hasPlainPrismaPromises(withPlainPrismaPromises({}))).toBe(false);
  });

  it("builds a PrismaPromise with a plain spec that runs its operation once, on the first then()", async () => {
    const operation = vi.fn(async () => 42);
    const promise = factory()(operation, { action: "findMany" });
    expect(Object.getOwnPropertyDescriptor(promise, "spec")).toMatchObject({ value: { action: "findMany" } });
    expect(Object.prototype.toString.call(promise)).toBe("[object PrismaPromise]");
    expect(operation).not.toHaveBeenCalled();
    expect(await promise).toBe(42);
    expect(await promise).toBe(42);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it("turns an operation that throws into a rejection, and passes transactions on", async () => {
    const failing = factory()(() => {
      throw new Error("bad arguments");
    });
    await expect(Promise.resolve(failing)).rejects.toThrow("bad arguments");
    const operation = vi.fn(async (transaction?: unknown) => transaction);
    const promise = factory()(operation) as unknown as { requestTransaction(t: unknown): Promise<unknown> };
    const batch = { kind: "batch", index: 0 };
    expect(await promise.requestTransaction(batch)).toBe(batch);
    expect(await promise.requestTransaction(batch)).toBe(batch);
    expect(operation).toHaveBeenCalledTimes(2); // per batch, as Prisma's
  });
});

describe("tenantgraph's Prisma clients", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it("central and organization clients are built with them", async () => {
    expect(hasPlainPrismaPromises(app.central)).toBe(true);
    const logged = createCentralClient("postgresql://nobody@127.0.0.1:1/none", 1, () => {});
    expect(hasPlainPrismaPromises(logged)).toBe(true);
    for (const handle of [createDatabaseTierBase(), createSchemaTierBase(), createSchemaTierBase(() => {})]) {
      expect(hasPlainPrismaPromises(handle.db)).toBe(true);
      await handle.close();
    }
    await logged.$disconnect();
  });

  it("queries, failures, and batch and interactive transactions work as before", async () => {
    const user = await app.central.user.create({ data: { email: "promises@example.test", name: "p" } });
    const query = app.central.user.findMany({ where: { id: user.id }, select: { email: true } });
    expect(Object.getOwnPropertyDescriptor(query, "spec")?.get).toBeUndefined();
    expect(await query).toEqual([{ email: "promises@example.test" }]);
    await expect(app.central.user.findMany({ where: { nope: 1 } as never })).rejects.toThrow(/Unknown argument/);
    const [count, found] = await app.central.$transaction([
      app.central.user.count({ where: { id: user.id } }),
      app.central.user.findUnique({ where: { id: user.id }, select: { name: true } }),
    ]);
    expect([count, found]).toEqual([1, { name: "p" }]);
    const renamed = await app.central.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { name: "q" } });
      return tx.user.findUniqueOrThrow({ where: { id: user.id }, select: { name: true } });
    });
    expect(renamed).toEqual({ name: "q" });
  });
});
