// OrgClientCache: single-flight creation for cold organizations, LRU eviction that closes
// the evicted organization's server connections, and no request failing because of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

async function connectionsTo(database: string): Promise<number> {
  return withAdminClient(async (c) => {
    const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [database]);
    return Number(r.rows[0]!.n);
  });
}

/** Backends exit shortly after their client disconnects; wait for it rather than race it. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe("single-flight creation", () => {
  let app: TestApp;
  let org: Organization;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    org = await app.provisionOrg("cold");
    const user = await app.createUser([[org, "MEMBER"]]);
    token = await app.token(user.id, org.id);
  });
  afterAll(() => app?.close());

  it("creates exactly one client for 50 concurrent first requests", async () => {
    expect(app.orgClients.stats.created).toBe(0);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        app.graphql(`{ projectsConnection(first: 1) { edges { node { id } } } }`, { token }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(responses.every((r) => r.errors === undefined)).toBe(true);
    expect(app.orgClients.stats.created).toBe(1);
    expect(app.orgClients.size).toBe(1);
  });
});

describe("LRU eviction with a bound of 2", () => {
  let app: TestApp;
  const orgs: Organization[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ maxClients: 2, poolSize: 2 });
    for (const name of ["one", "two", "three"]) {
      const org = await app.provisionOrg(name);
      const user = await app.createUser([[org, "OWNER"]]);
      orgs.push(org);
      tokens.push(await app.token(user.id, org.id));
    }
  });
  afterAll(() => app?.close());

  it("evicts the least recently used organization and closes its connections", async () => {
    const [one, two, three] = orgs as [Organization, Organization, Organization];
    for (const i of [0, 1])
      expect(
        (await app.graphql(`{ projectsConnection(first: 1) { edges { node { id } } } }`, { token: tokens[i] })).status,
      ).toBe(200);
    expect(await connectionsTo(one.databaseName)).toBeGreaterThan(0);
    // Touch "one" so that "two" becomes the least recently used.
    expect(
      (await app.graphql(`{ projectsConnection(first: 1) { edges { node { id } } } }`, { token: tokens[0] })).status,
    ).toBe(200);
    expect(
      (await app.graphql(`{ projectsConnection(first: 1) { edges { node { id } } } }`, { token: tokens[2] })).status,
    ).toBe(200);

    expect(app.orgClients.size).toBe(2);
    expect(app.orgClients.has(resolvePlacement(two, app.servers).key)).toBe(false);
    expect(app.orgClients.has(resolvePlacement(one, app.servers).key)).toBe(true);
    expect(await eventually(async () => (await connectionsTo(two.databaseName)) === 0)).toBe(true);
    expect(await connectionsTo(three.databaseName)).toBeGreaterThan(0);
  });

  it("lets a request that holds an evicted client finish, then disconnects it", async () => {
    const [one, two, three] = orgs as [Organization, Organization, Organization];
    const lease = await app.orgClients.acquire(resolvePlacement(one, app.servers));
    await app.orgClients.acquire(resolvePlacement(two, app.servers)).then((l) => l.release());
    await app.orgClients.acquire(resolvePlacement(three, app.servers)).then((l) => l.release());
    expect(app.orgClients.has(resolvePlacement(one, app.servers).key)).toBe(false); // evicted...
    await expect(lease.db.project.count()).resolves.toBe(0); // ...but still usable by its borrower
    expect(await connectionsTo(one.databaseName)).toBeGreaterThan(0);
    lease.release();
    expect(await eventually(async () => (await connectionsTo(one.databaseName)) === 0)).toBe(true);
  });

  it("serves interleaved concurrent requests for three organizations without a failure", async () => {
    const before = app.orgClients.stats.evicted;
    const rounds = Array.from({ length: 60 }, (_, i) =>
      app.graphql(`{ currentOrganization { id } projectsConnection(first: 1) { edges { node { id } } } }`, {
        token: tokens[i % 3],
      }),
    );
    const responses = await Promise.all(rounds);
    expect(responses.filter((r) => r.status !== 200 || r.errors)).toEqual([]);
    responses.forEach((r, i) => expect(r.data.currentOrganization.id).toBe(orgs[i % 3]!.id));
    expect(app.orgClients.stats.evicted).toBeGreaterThan(before);
    expect(app.orgClients.size).toBeLessThanOrEqual(2);
  });
});
