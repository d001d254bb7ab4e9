// A server's connection budget counts the connections the process actually holds there: the
// central database's pools (always, first) and each organization's connections as they are
// opened. A DATABASE-tier organization is admitted with one connection; a cold organization
// that would exceed the budget makes busy pools close their idle extra connections, then
// evicts the least recently used idle client; when every client is busy it waits briefly,
// then fails with TENANT_BUSY (never PostgreSQL's "too many clients"), and it gets in as soon
// as a client is returned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CENTRAL_POOL_SIZE, type Organization } from "../../src/data/central-client.ts";
import { LIMITS_POOL_SIZE } from "../../src/data/limit-store.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { memberOf } from "../helpers/fixtures.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

/** The central client's pool, the limits pool and the LISTEN connection. */
const CENTRAL = CENTRAL_POOL_SIZE + LIMITS_POOL_SIZE + 1;

async function connectionsTo(databases: string[]): Promise<number> {
  return withAdminClient(async (c) =>
    Number(
      (await c.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1)", [databases])).rows[0].n,
    ),
  );
}

async function provision(app: TestApp, names: string[]) {
  const orgs: Organization[] = [];
  const tokens: string[] = [];
  for (const name of names) {
    const org = await app.provisionOrg(name);
    orgs.push(org);
    tokens.push((await memberOf(app, org, "MEMBER")).token);
  }
  return { orgs, tokens };
}

describe("connection budget with room for two organization connections", () => {
  let app: TestApp;
  let orgs: Organization[];
  let tokens: string[];
  beforeAll(async () => {
    // The central connections count first: what is left is exactly two organizations' first connection.
    app = await startTestApp({
      poolSize: 2,
      env: { SERVER_CONNECTION_BUDGET: String(CENTRAL + 2), TENANT_BUSY_WAIT_MS: "300" },
    });
    ({ orgs, tokens } = await provision(app, ["budget-a", "budget-b", "budget-c"]));
  });
  afterAll(() => app?.close());

  const placement = (i: number) => resolvePlacement(orgs[i]!, app.servers);
  const ask = (i: number) => app.graphql(`{ currentOrganization { id } }`, { token: tokens[i] });

  it("counts the central database's connections before any organization's", () => {
    expect(app.orgClients.budget!.inUse("main")).toBeGreaterThanOrEqual(CENTRAL);
  });

  it("evicts the least recently used idle organization to make room", async () => {
    expect((await ask(0)).status).toBe(200);
    expect((await ask(1)).status).toBe(200);
    expect((await ask(2)).status).toBe(200); // a (idle, least recent) makes room for c
    expect(app.orgClients.has(placement(0).key)).toBe(false);
    expect(app.orgClients.has(placement(1).key)).toBe(true);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(2);
  });

  it("answers TENANT_BUSY when every client on the server is busy, after waiting briefly", async () => {
    const held = [await app.orgClients.acquire(placement(1)), await app.orgClients.acquire(placement(2))];
    try {
      const started = Date.now();
      const r = await ask(0);
      expect(r.errors?.[0]?.extensions?.code).toBe("TENANT_BUSY");
      expect(r.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      for (const lease of held) lease.release();
    }
  });

  it("lets a waiting organization in as soon as a busy client is returned", async () => {
    const held = [await app.orgClients.acquire(placement(1)), await app.orgClients.acquire(placement(2))];
    const waiting = ask(0);
    setTimeout(() => held[0]!.release(), 100);
    const r = await waiting;
    held[1]!.release();
    expect(r.errors).toBeUndefined();
    expect(r.data.currentOrganization.id).toBe(orgs[0]!.id);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(2);
  });

  it("never lets 30 concurrent requests over three organizations exceed the budget", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(i % 3)));
    // Both admitted organizations stay busy throughout: the third may wait out TENANT_BUSY_WAIT_MS.
    for (const r of results) expect(["OK", "TENANT_BUSY"]).toContain(r.errors?.[0]?.extensions?.code ?? "OK");
    expect(results.filter((r) => !r.errors).length).toBeGreaterThan(0);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(2);
    expect(app.orgClients.budget!.peak("main")).toBeLessThanOrEqual(CENTRAL + 2);
  });
});

describe("connection budget under load over many organizations", () => {
  let app: TestApp;
  let orgs: Organization[];
  let tokens: string[];
  const ROOM = 6;
  beforeAll(async () => {
    app = await startTestApp({
      maxClients: 50,
      poolSize: 3,
      env: { SERVER_CONNECTION_BUDGET: String(CENTRAL + ROOM) },
    });
    ({ orgs, tokens } = await provision(
      app,
      Array.from({ length: 12 }, (_, i) => `load-${i}`),
    ));
  }, 120_000);
  afterAll(() => app?.close());

  it("grows a busy organization's pool while there is room, and gives the extra connections to a cold one", async () => {
    const busy = await app.orgClients.acquire(resolvePlacement(orgs[0]!, app.servers));
    try {
      // Three transactions at once: the pool opens its first connection and two more.
      await Promise.all([0, 1, 2].map(() => busy.db.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(0.2)`)));
      expect(await connectionsTo([orgs[0]!.databaseName])).toBe(3);
    } finally {
      busy.release();
    }
    // Five cold organizations fill the room; the busy one's idle extras are closed for them, not the busy one.
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => app.graphql(`{ currentOrganization { id } }`, { token: tokens[i] })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(app.orgClients.has(resolvePlacement(orgs[0]!, app.servers).key)).toBe(true);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(ROOM);
  });

  it("keeps the server's connections within the budget, with no error, under concurrent load over 12 organizations", async () => {
    const databases = [
      ...orgs.map((o) => o.databaseName),
      (await app.central.$queryRaw<[{ db: string }]>`SELECT current_database() AS db`)[0].db,
    ];
    let sampling = true;
    let peak = 0;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await connectionsTo(databases));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const codes = new Map<string, number>();
    let next = 0;
    // 20 requests in flight, skewed towards the first organizations (a few hot, a long tail).
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < 400) {
          const i = next++;
          const org = Math.floor(orgs.length * Math.pow(((i * 7919) % 400) / 400, 2));
          const r = await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: tokens[org] });
          const code = r.errors?.[0]?.extensions?.code ?? "OK";
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    sampling = false;
    await sampler;
    expect(Object.fromEntries(codes)).toEqual({ OK: 400 });
    expect(peak).toBeLessThanOrEqual(CENTRAL + ROOM);
    expect(app.orgClients.budget!.peak("main")).toBeLessThanOrEqual(CENTRAL + ROOM);
  }, 120_000);
});
