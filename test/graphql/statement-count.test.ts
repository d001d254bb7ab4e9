// `projectsConnection { itemsConnection { ... } }` must cost the same number of SQL statements whatever the
// number of projects (no N+1): every statement the organization's client sends is logged
// and counted, as Pothos's own prisma-plugin tests do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

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
