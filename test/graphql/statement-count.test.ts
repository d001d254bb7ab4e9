// `projectsConnection { itemsConnection { ... } }` must cost the same number of SQL statements whatever the
// number of projects (no N+1): every statement the organization's client sends is logged
// and counted, as Pothos's own prisma-plugin tests do.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Organization, Tier } from "../../src/data/central-client.ts";
import { NoOrganizationPoolError, orgRoutingPool } from "../../src/data/org-pool-routing.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { UnsupportedOnOrgClientError } from "../../src/data/scoped-client.ts";
import type { Prisma } from "../../src/data/generated/tenant/client.ts";
import type { TenantDb } from "../../src/data/tenant-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import { dataOf } from "../helpers/results.ts";
import { databaseOf, recordRoundTrips } from "../helpers/round-trips.ts";

const statements: string[] = [];
let app: TestApp;
let small: { org: Organization; token: string };
let large: { org: Organization; token: string };

async function orgWith(name: string, projects: number, itemsPerProject: number) {
  const org = await app.provisionOrg(name);
  const user = await app.createUser([[org, "OWNER"]]);
  const token = await app.token(user.id, org.id);
  for (let p = 0; p < projects; p++) {
    const created = await app.graphql(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
      token,
      variables: { n: `project ${p}` },
    });
    for (let i = 0; i < itemsPerProject; i++) {
      await app.graphql(`mutation($p: ID!, $t: String!) { createItem(input: { projectId: $p, title: $t }) { id } }`, {
        token,
        variables: { p: created.data.createProject.id, t: `item ${i}` },
      });
    }
  }
  return { org, token };
}

async function countStatements(query: string, token: string) {
  statements.length = 0;
  const result = await app.graphql(query, { token });
  expect(result.errors).toBeUndefined();
  return { count: statements.length, data: result.data, sql: [...statements] };
}

/**
 * Three organizations of `tier`, a project each, and many requests of the three at once on the
 * tier's one shared client: each sees its own project only.
 */
async function threeOrgsEachSeeingItsOwn(tier: Tier): Promise<Organization[]> {
  const orgs = await Promise.all([1, 2, 3].map((n) => app.provisionOrg(`own-${tier.toLowerCase()}-${n}`, { tier })));
  const members = await Promise.all(orgs.map((org) => memberOf(app, org, "OWNER")));
  await Promise.all(members.map((m, i) => newProject(app, m.token, `project of ${i}`)));
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      app.graphql(`{ projectsConnection(first: 5) { edges { node { name } } } }`, { token: members[i % 3]!.token }),
    ),
  );
  results.forEach((r, i) =>
    expect(dataOf(r).projectsConnection.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([
      `project of ${i % 3}`,
    ]),
  );
  return orgs;
}

/** `work` with the organizations' clients, borrowed from the app's cache for its length. */
async function withClientsOf<T>(orgs: Organization[], work: (dbs: TenantDb[]) => Promise<T>): Promise<T> {
  const leases = await Promise.all(orgs.map((org) => app.orgClients.acquire(resolvePlacement(org, app.servers))));
  try {
    return await work(leases.map((lease) => lease.db));
  } finally {
    leases.forEach((lease) => lease.release());
  }
}

/** 12 interactive transactions of the three clients in turn, all at once: what each saw. */
function transactionsAtOnce<T>(dbs: TenantDb[], work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: 12 }, (_, i) => dbs[i % 3]!.$transaction(work)));
}

/** findUnique calls of the three in one tick (which Prisma would batch into one query): the names they found. */
async function namesFoundInOneTick(
  dbs: TenantDb[],
  projects: Array<{ id: string }>,
): Promise<Array<string | undefined>> {
  const found = await Promise.all(dbs.map((db, i) => db.project.findUnique({ where: { id: projects[i]!.id } })));
  return found.map((project) => project?.name);
}

beforeAll(async () => {
  // Pages of every size, not the cost limit, are under test here.
  app = await startTestApp({ onOrgQuery: (sql) => statements.push(sql), env: { MAX_COST: "10000000" } });
  small = await orgWith("small", 2, 1);
  large = await orgWith("large", 15, 4);
});
afterAll(() => app?.close());

describe("statement counts", () => {
  const QUERY = `{ projectsConnection(first: 100) { edges { node { id name itemsConnection(first: 100) { edges { node { id title project { id name } } } } } } } }`;
  const projectsOf = (data: any) => data.projectsConnection.edges.map((e: { node: unknown }) => e.node);

  it("loads projects, their items and each item's project in 1 statement, whatever the page size", async () => {
    await countStatements(QUERY, small.token); // warm the client: its connection check is not part of the query
    await countStatements(QUERY, large.token);
    const few = await countStatements(QUERY, small.token);
    const many = await countStatements(QUERY, large.token);
    expect(projectsOf(few.data)).toHaveLength(2);
    expect(projectsOf(many.data)).toHaveLength(15);
    expect(
      projectsOf(many.data).flatMap((p: { itemsConnection: { edges: unknown[] } }) => p.itemsConnection.edges),
    ).toHaveLength(60);
    expect(many.count).toBe(few.count);
    // One statement: the tenant client loads relations with lateral joins (relationJoins),
    // so the items and each item's project come with the projects.
    expect(many.count).toBe(1);
  });

  it("filters the top-level statement by the organization", async () => {
    const { sql } = await countStatements(QUERY, large.token);
    expect(sql[0]).toMatch(/WHERE \("t0"\."deleted_at" IS NULL AND "t0"\."org_id" = \$\d+\) ORDER BY/);
  });
});

// Issue 10: per warm request (organization and membership cached, client open, rate-limit
// leases taken), every round trip to every database is counted at the driver (each pg
// Client#query call is one round trip). Targets: no central round trip at all (routing and
// rate limits included); the organization's query in 1 round trip in every tier (SHARED: the
// organization setting and the query before one Sync; SCHEMA: BEGIN, the role switch, the query
// and COMMIT before one Sync).
describe("round trips per warm request", () => {
  const PAGE = `{ projectsConnection(first: 20) { edges { node { id name itemsConnection(first: 20) { edges { node { id kind title status priority createdAt } } } } } } }`;
  const trips = recordRoundTrips();
  afterAll(() => trips.stop());

  it.each<Tier>(["DATABASE", "SCHEMA", "SHARED"])("%s tier: 0 central, 1 organization round trip", async (tier) => {
    const org = await app.provisionOrg(`trips-${tier.toLowerCase()}`, { tier });
    const owner = await memberOf(app, org, "OWNER");
    await newProject(app, owner.token, "one");
    // One rate-limit window for the whole test: a new second would lease a new block (once per second per org).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      for (let i = 0; i < 2; i++) dataOf(await app.graphql(PAGE, { token: owner.token }));
      trips.clear();
      statements.length = 0;
      const page = dataOf(await app.graphql(PAGE, { token: owner.token }));
      expect(page.projectsConnection.edges).toHaveLength(1);
      const central = trips.on(databaseOf(app.servers.main!));
      const orgTrips = trips.on(org.databaseName);
      console.info(
        `${tier}: central round trips ${central.length}, organization round trips ${orgTrips.length}, Prisma statements ${statements.length}`,
      );
      expect(central.map((t) => t.text)).toEqual([]);
      expect(orgTrips).toHaveLength(1);
      expect(statements).toHaveLength(1); // what Prisma sent: the one query, nothing around it
    } finally {
      vi.useRealTimers();
    }
  });

  it("a cold organization's first request takes its rate limits from its route: no org_limits statement of its own", async () => {
    const org = await app.provisionOrg("trips-cold-limits", { tier: "SHARED" });
    const owner = await memberOf(app, org, "OWNER");
    trips.clear();
    dataOf(await app.graphql(PAGE, { token: owner.token }));
    const central = trips.on(databaseOf(app.servers.main!)).map((t) => t.text);
    expect(central.filter((text) => text.includes("JOIN org_limits"))).toHaveLength(1); // the route
    expect(central.filter((text) => text.includes("FROM org_limits WHERE"))).toEqual([]);
  });

  it("DATABASE: one client for all, yet every statement on its own organization's database and role", async () => {
    const orgs = await threeOrgsEachSeeingItsOwn("DATABASE");
    const stale = await withClientsOf(orgs, async (dbs) => {
      const where = await transactionsAtOnce(dbs, async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ db: string; role: string }>>`
          SELECT current_database() AS db, current_user AS role`;
        return `${row!.db}/${row!.role}`;
      });
      expect(where).toEqual(
        Array.from({ length: 12 }, (_, i) => `${orgs[i % 3]!.databaseName}/${orgs[i % 3]!.databaseName}`),
      );
      const projects = await Promise.all(dbs.map((db) => db.project.findFirstOrThrow()));
      expect(await namesFoundInOneTick(dbs, projects)).toEqual(["project of 0", "project of 1", "project of 2"]);
      return dbs[0]!;
    });
    // The shared client outside any organization's scope reaches no database; an evicted view reaches none either.
    await expect(orgRoutingPool().query("SELECT 1")).rejects.toBeInstanceOf(NoOrganizationPoolError);
    await app.orgClients.drop(orgs[0]!.id);
    await expect(stale.project.count()).rejects.toThrow();
  });

  it("SCHEMA: one client for all, yet every statement as its own organization's role, in its own schema", async () => {
    const orgs = await threeOrgsEachSeeingItsOwn("SCHEMA");
    await withClientsOf(orgs, async (dbs) => {
      // Interactive transactions of the three at once: raw SQL and model queries.
      const seen = await transactionsAtOnce(dbs, async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ role: string }>>`SELECT current_user AS role`;
        return `${row!.role}/${(await tx.project.findFirstOrThrow()).name}`;
      });
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `${orgs[i % 3]!.schemaName}/project of ${i % 3}`));
      // Raw SQL outside a transaction too; a client derived from the view would escape its scope, so there is none.
      const roles = await Promise.all(
        dbs.map((db) => db.$queryRaw<Array<{ role: string }>>`SELECT current_user AS role`),
      );
      expect(roles.map(([row]) => row!.role)).toEqual(orgs.map((org) => org.schemaName));
      expect(() => dbs[0]!.$extends({})).toThrow(UnsupportedOnOrgClientError);
      const projects = await Promise.all(dbs.map((db) => db.project.findFirstOrThrow()));
      trips.clear();
      statements.length = 0;
      expect(await namesFoundInOneTick(dbs, projects)).toEqual(["project of 0", "project of 1", "project of 2"]);
      // Prisma wrote one SQL text for all three (its placeholder schema); each reached the server naming its own.
      expect(new Set(statements).size).toBe(1);
      expect(statements[0]).toContain(`"TenantgraphOrganizationSchema"."projects"`);
      const sent = trips.on(orgs[0]!.databaseName).map((t) => t.text);
      for (const org of orgs)
        expect(sent.filter((text) => text.includes(`"${org.schemaName}"."projects"`))).toHaveLength(1);
      expect(sent.join("\n")).not.toContain("TenantgraphOrganizationSchema");
    });
  });

  it("SHARED: interactive transactions and concurrent organizations each run as their own organization", async () => {
    const orgs = await threeOrgsEachSeeingItsOwn("SHARED");
    // On the clients themselves: interactive transactions, raw SQL, and findUnique calls of
    // several organizations in one tick (which Prisma would batch into one query).
    await withClientsOf(orgs, async (dbs) => {
      const settings = await transactionsAtOnce(dbs, async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ org: string }>>`SELECT current_setting('app.org_id') AS org`;
        return row!.org;
      });
      expect(settings).toEqual(Array.from({ length: 12 }, (_, i) => orgs[i % 3]!.id));
      const projects = await Promise.all(
        dbs.map((db, i) => db.project.findFirstOrThrow({ where: { orgId: orgs[i]!.id } })),
      );
      expect(await namesFoundInOneTick(dbs, projects)).toEqual(["project of 0", "project of 1", "project of 2"]);
    });
  });
});
