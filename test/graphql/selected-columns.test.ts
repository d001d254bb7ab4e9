// The SQL reads only the columns an operation asks for (Project and Item are Pothos prisma
// objects in select mode): the organization's statement for "projects with their items" is
// logged and its column lists compared with the fields of the query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tier } from "../../src/data/central-client.ts";
import { asJsonAggregation } from "../../src/data/json-relation-joins.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { recordRoundTrips } from "../helpers/round-trips.ts";

const statements: string[] = [];
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ onOrgQuery: (sql) => statements.push(sql) });
  const org = await app.provisionOrg("columns");
  const user = await app.createUser([[org, "OWNER"]]);
  token = await app.token(user.id, org.id);
  const project = await app.graphql(`mutation { createProject(input: { name: "p" }) { id } }`, { token });
  await app.graphql(
    `mutation($p: ID!) { createItem(input: { projectId: $p, title: "t", description: "long" }) { id } }`,
    {
      token,
      variables: { p: project.data.createProject.id },
    },
  );
});
afterAll(() => app?.close());

async function statementFor(query: string): Promise<string> {
  await app.graphql(query, { token }); // warm: the client's connection check is not part of the query
  statements.length = 0;
  const result = await app.graphql(query, { token });
  expect(result.errors).toBeUndefined();
  expect(statements, statements.join("\n")).toHaveLength(1);
  return statements[0]!;
}

/** The quoted column names a statement reads ("t0"."name" -> name), whatever the alias. */
function columnsRead(sql: string): Set<string> {
  return new Set([...sql.matchAll(/"t\d+"\."([a-z_]+)"/g)].map((m) => m[1]!));
}

describe("selected columns", () => {
  it("projects with their items read only the asked columns (and the keys, filters and order need)", async () => {
    const sql = await statementFor(
      `{ projectsConnection(first: 20) { edges { node { id name itemsConnection(first: 20) {
          edges { node { id kind title status priority createdAt } } } } } } }`,
    );
    const read = columnsRead(sql);
    for (const asked of ["id", "name", "kind", "title", "status", "priority", "created_at"])
      expect(read).toContain(asked);
    // Columns no field of the query asks for are never read, not even into JSON.
    for (const unasked of ["description", "version", "updated_at", "assignee_id", "due_date", "created_by_id"])
      expect(read, sql).not.toContain(unasked);
  });
});

// Prisma aggregates a relation's rows as JSONB; the adapter sends JSON (src/data/json-relation-joins.ts).
describe("relation rows aggregated as JSON, not JSONB", () => {
  const PAGE = `{ projectsConnection(first: 20) { edges { node { name itemsConnection(first: 20) {
    edges { node { title kind createdAt } } } } } } }`;

  for (const tier of ["DATABASE", "SCHEMA", "SHARED"] as const satisfies readonly Tier[]) {
    it(`${tier}: the statement the server receives, in and out of interactive transactions, and the same answer`, async () => {
      const org = await app.provisionOrg(`json-agg-${tier.toLowerCase()}`, { tier });
      const user = await app.createUser([[org, "OWNER"]]);
      const owner = await app.token(user.id, org.id);
      const project = await app.graphql(`mutation { createProject(input: { name: "p" }) { id } }`, { token: owner });
      await app.graphql(
        `mutation($p: ID!) { createItem(input: { projectId: $p, title: "it \\"JSONB_AGG(\\"" }) { id } }`,
        {
          token: owner,
          variables: { p: project.data.createProject.id },
        },
      );
      const trips = recordRoundTrips();
      try {
        const answer = await app.graphql(PAGE, { token: owner });
        const [node] = answer.data.projectsConnection.edges.map((e: { node: unknown }) => e.node);
        expect(node.itemsConnection.edges[0].node).toMatchObject({ title: 'it "JSONB_AGG("', kind: "ACTION" });
        expect(new Date(node.itemsConnection.edges[0].node.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
        const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
        try {
          const inTransaction = await lease.db.$transaction((tx) =>
            tx.project.findMany({ select: { name: true, items: { select: { title: true, createdAt: true } } } }),
          );
          expect(inTransaction[0]!.items[0]!.createdAt).toBeInstanceOf(Date);
        } finally {
          lease.release();
        }
        const joins = trips.on(org.databaseName).filter((t) => t.text.includes("__prisma_data__"));
        expect(joins).toHaveLength(2);
        for (const { text } of joins) {
          expect(text).toContain("JSON_AGG(");
          expect(text).toContain("JSON_BUILD_OBJECT(");
          expect(text).not.toContain("JSONB");
        }
      } finally {
        trips.stop();
      }
    });
  }

  it("renames only Prisma's two aggregate functions, never anything else in a statement", () => {
    expect(asJsonAggregation(`SELECT COALESCE(JSONB_AGG("d"), '[]'), JSONB_BUILD_OBJECT('a', "t"."a")`)).toBe(
      `SELECT COALESCE(JSON_AGG("d"), '[]'), JSON_BUILD_OBJECT('a', "t"."a")`,
    );
    for (const untouched of [`SELECT "t"."data"::jsonb`, `SELECT XJSONB_AGG(1)`, `SELECT jsonb_agg(1)`, `SELECT 1`])
      expect(asJsonAggregation(untouched)).toBe(untouched);
  });
});
