// A page of 50 projects x 20 items, each with createdBy and assignee, costs 4 SQL statements,
// the same as a page of 3 x 2: 1 on the organization's database (projects with their items)
// and 3 on the central one (the request's membership check: organization + membership; then
// every user behind the page, creators of projects and items and assignees, in one batch). Statements are counted as they are sent, on the
// organization's client (onOrgQuery) and on the central client (onCentralQuery).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { dataOf } from "../helpers/results.ts";

const orgStatements: string[] = [];
const centralStatements: string[] = [];
let app: TestApp;
let org: Organization;
let token: string;
let userIds: string[];

/** Seeds directly through the organization's client: 1,000 items through GraphQL would be slow. */
async function seed(projects: number, itemsPerProject: number): Promise<void> {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    const rows = Array.from({ length: projects }, (_, p) => ({
      id: crypto.randomUUID(),
      orgId: org.id,
      name: `project ${String(p).padStart(3, "0")}`,
      createdById: userIds[p % userIds.length]!,
    }));
    await lease.db.project.createMany({ data: rows });
    await lease.db.item.createMany({
      data: rows.flatMap((project, p) =>
        Array.from({ length: itemsPerProject }, (_, i) => ({
          orgId: org.id,
          projectId: project.id,
          title: `item ${i} of ${project.name}`,
          createdById: userIds[(p + i) % userIds.length]!,
          assigneeId: i % 3 === 0 ? null : userIds[(p + 2 * i) % userIds.length]!,
        })),
      ),
    });
  } finally {
    lease.release();
  }
}

async function countPage(projects: number, items: number) {
  orgStatements.length = 0;
  centralStatements.length = 0;
  const data = dataOf(await app.graphql(op("ProjectBoard"), { token, variables: { projects, items } }));
  return { data, org: [...orgStatements], central: [...centralStatements] };
}

beforeAll(async () => {
  app = await startTestApp({
    onOrgQuery: (sql) => orgStatements.push(sql),
    onCentralQuery: (sql) => centralStatements.push(sql),
  });
  org = await app.provisionOrg("board");
  const users = await Promise.all(Array.from({ length: 7 }, () => app.createUser([[org, "MEMBER"]])));
  userIds = users.map((u) => u.id);
  token = await app.token(userIds[0]!, org.id);
  await seed(60, 25); // more than one page of each, so the page limits are exercised
  await countPage(1, 1); // warm the organization's client: its connection check is not part of a page
});
afterAll(() => app?.close());

describe("statements for a page of projects with their items and users", () => {
  it("50 projects x 20 items with createdBy and assignee: 1 organization statement and 1 central one", async () => {
    const page = await countPage(50, 20);
    const projects = page.data.projectsConnection.edges;
    expect(projects).toHaveLength(50);
    for (const { node } of projects) {
      expect(node.createdBy!.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(node.itemsConnection.edges).toHaveLength(20);
      expect(node.itemsConnection.pageInfo.hasNextPage).toBe(true);
    }
    const items = projects.flatMap((p: any) => p.node.itemsConnection.edges.map((e: any) => e.node));
    expect(new Set(items.map((i: any) => i.id)).size).toBe(1000);
    expect(items.every((i: any) => userIds.includes(i.createdBy.id))).toBe(true);
    expect(items.filter((i: any) => i.assignee !== null).length).toBeGreaterThan(600);

    // Organization: ONE statement. Projects join their items laterally (relationLoadStrategy
    // "join"), so each project's rows (first + 1) are limited in the database, not after
    // loading every item of 50 projects.
    expect(page.org, page.org.join("\n")).toHaveLength(1);
    expect(page.org[0]).toMatch(/LEFT JOIN LATERAL[\s\S]*LIMIT/);
    // Central: one batched users query for every creator and assignee on the page (the
    // organization and membership of a warm request are cached: src/tenancy/route-cache.ts).
    expect(page.central, page.central.join("\n")).toHaveLength(1);
    expect(page.central.filter((sql) => /"users"/.test(sql))).toHaveLength(1);
  });

  it("the same statements for 3 x 2 as for 50 x 20", async () => {
    const small = await countPage(3, 2);
    const large = await countPage(50, 20);
    expect(small.data.projectsConnection.edges).toHaveLength(3);
    expect(small.org.length).toBe(large.org.length);
    expect(small.central.length).toBe(large.central.length);
  });

  it("filters every organization statement by the organization", async () => {
    const page = await countPage(50, 20);
    for (const sql of page.org) expect(sql).toMatch(/"org_id" = \$\d/);
  });
});
