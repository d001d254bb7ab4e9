// The SQL reads only the columns an operation asks for (Project and Item are Pothos prisma
// objects in select mode): the organization's statement for "projects with their items" is
// logged and its column lists compared with the fields of the query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

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
