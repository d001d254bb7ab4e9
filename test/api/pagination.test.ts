// Walking every page of projectsConnection, itemsConnection and Project.itemsConnection
// returns every row exactly once, also while rows are inserted between pages (before and
// after the position already reached); `first` is capped at 100; cursors work backwards too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op, type OperationName } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let org: Organization;
let token: string;
let userId: string;
let projectIds: string[];
let itemIds: string[];

async function withOrgDb<T>(
  work: (db: Awaited<ReturnType<TestApp["orgClients"]["acquire"]>>["db"]) => Promise<T>,
): Promise<T> {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    return await work(lease.db);
  } finally {
    lease.release();
  }
}

/** Walks forward `size` at a time; `between` runs after every page. */
async function walk(
  operation: OperationName,
  variables: Record<string, unknown>,
  pick: (data: any) => any,
  size: number,
  between: (page: number) => Promise<void>,
) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const connection = pick(
      dataOf(await app.graphql<any, any>(op(operation), { token, variables: { ...variables, first: size, after } })),
    );
    expect(connection.edges.length).toBeLessThanOrEqual(size);
    seen.push(...connection.edges.map((e: any) => e.node.id));
    await between(page);
    if (!connection.pageInfo.hasNextPage) return seen;
    after = connection.pageInfo.endCursor;
  }
  throw new Error("did not reach the last page");
}

function expectEachOnce(seen: string[], expected: string[]) {
  expect(new Set(seen).size, "no row twice").toBe(seen.length);
  const missing = expected.filter((id) => !seen.includes(id));
  expect(missing, "every row that existed before the walk").toEqual([]);
}

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("pages");
  const user = await app.createUser([[org, "ADMIN"]]);
  userId = user.id;
  token = await app.token(user.id, org.id);
  await withOrgDb(async (db) => {
    // Names with gaps, so later inserts land before, between and after existing rows.
    const projects = Array.from({ length: 40 }, (_, i) => ({
      id: crypto.randomUUID(),
      orgId: org.id,
      name: `p${String(i * 10).padStart(4, "0")}`,
      createdById: userId,
    }));
    await db.project.createMany({ data: projects });
    projectIds = projects.map((p) => p.id);
    const base = Date.now() - 3_600_000;
    const items = Array.from({ length: 45 }, (_, i) => ({
      id: crypto.randomUUID(),
      orgId: org.id,
      projectId: projectIds[0]!,
      title: `item ${i}`,
      createdById: userId,
      createdAt: new Date(base + Math.floor(i / 3) * 1000), // equal timestamps in threes: the id breaks ties
    }));
    await db.item.createMany({ data: items });
    itemIds = items.map((i) => i.id);
  });
});
afterAll(() => app?.close());

describe("pagination", () => {
  it("projectsConnection: every project exactly once while projects are inserted before and after the cursor", async () => {
    let inserted = 0;
    const seen = await walk(
      "Projects",
      {},
      (d) => d.projectsConnection,
      6,
      async (page) => {
        await withOrgDb((db) =>
          db.project.createMany({
            data: [`p${String(page * 60 + 5).padStart(4, "0")}`, `a-first-${page}`, `z-last-${page}`].map((name) => ({
              orgId: org.id,
              name,
              createdById: userId,
            })),
          }),
        );
        inserted += 3;
      },
    );
    expectEachOnce(seen, projectIds);
    // Rows inserted behind the cursor are not seen; rows ahead of it are, once.
    expect(seen.length).toBeGreaterThan(projectIds.length);
    expect(seen.length).toBeLessThan(projectIds.length + inserted);
  });

  it("itemsConnection and Project.itemsConnection: every item exactly once while items are added", async () => {
    const add = async () => {
      await withOrgDb((db) =>
        db.item.create({ data: { orgId: org.id, projectId: projectIds[0]!, title: "added", createdById: userId } }),
      );
    };
    const top = await walk("Items", { projectId: projectIds[0] }, (d) => d.itemsConnection, 7, add);
    expectEachOnce(top, itemIds);
    const nested = await walk("ProjectItems", { projectId: projectIds[0] }, (d) => d.project.itemsConnection, 7, add);
    expectEachOnce(nested, itemIds);
  });

  it("pages backwards with last and before", async () => {
    const forward = dataOf(await app.graphql(op("Projects"), { token, variables: { first: 100 } })).projectsConnection;
    const all = forward.edges.map((e: any) => e.node.id);
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = dataOf(
        await app.graphql(op("Projects"), { token, variables: { last: 9, before } }),
      ).projectsConnection;
      backward.unshift(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(all);
  });

  it("caps first at 100 and says there is more; refuses negative sizes", async () => {
    await withOrgDb((db) =>
      db.project.createMany({
        data: Array.from({ length: 120 }, (_, i) => ({ orgId: org.id, name: `bulk ${i}`, createdById: userId })),
      }),
    );
    const page = dataOf(await app.graphql(op("Projects"), { token, variables: { first: 500 } })).projectsConnection;
    expect(page.edges).toHaveLength(100);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.totalCount).toBeGreaterThan(160);
    const nested = dataOf(await app.graphql(op("Items"), { token, variables: { first: 1000 } })).itemsConnection;
    expect(nested.edges.length).toBeLessThanOrEqual(100);
    expect(errorOf(await app.graphql(op("Projects"), { token, variables: { first: -1 } })).code).toBe("BAD_USER_INPUT");
  });
});
