// A server's connection budget: DATABASE-tier clients reserve their pool size from it. A
// cold organization that would exceed it evicts the least recently used idle client;
// when every client is busy it waits briefly, then fails with TENANT_BUSY (never
// PostgreSQL's "too many clients"), and it gets in as soon as a client is returned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { memberOf } from "../helpers/fixtures.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
const orgs: Organization[] = [];
const tokens: string[] = [];

async function connectionsTo(databases: string[]): Promise<number> {
  return withAdminClient(async (c) =>
    Number(
      (await c.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1)", [databases])).rows[0].n,
    ),
  );
}

beforeAll(async () => {
  // Room for exactly two organization pools of 2 connections.
  app = await startTestApp({ poolSize: 2, env: { SERVER_CONNECTION_BUDGET: "4", TENANT_BUSY_WAIT_MS: "300" } });
  for (const name of ["a", "b", "c"]) {
    const org = await app.provisionOrg(`budget-${name}`);
    orgs.push(org);
    tokens.push((await memberOf(app, org, "MEMBER")).token);
  }
});
afterAll(() => app?.close());

const placement = (i: number) => resolvePlacement(orgs[i]!, app.servers);
const ask = (i: number) => app.graphql(`{ currentOrganization { id } }`, { token: tokens[i] });

describe("connection budget", () => {
  it("evicts the least recently used idle organization to make room", async () => {
    expect((await ask(0)).status).toBe(200);
    expect((await ask(1)).status).toBe(200);
    expect((await ask(2)).status).toBe(200); // a (idle, least recent) makes room for c
    expect(app.orgClients.has(placement(0).key)).toBe(false);
    expect(app.orgClients.has(placement(1).key)).toBe(true);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(4);
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
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(4);
  });

  it("never lets 30 concurrent requests over three organizations exceed the budget", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(i % 3)));
    for (const r of results) expect(["OK", "TENANT_BUSY"]).toContain(r.errors?.[0]?.extensions?.code ?? "OK");
    expect(results.filter((r) => !r.errors).length).toBeGreaterThan(0);
    expect(await connectionsTo(orgs.map((o) => o.databaseName))).toBeLessThanOrEqual(4);
  });
});
