// Members: adding an account by email, changing roles, removing; the owner rules (only owners
// touch OWNER, an organization keeps one owner, also under concurrent demotions); and
// membersConnection pages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization, Role } from "../../src/data/central-client.ts";
import { startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";
import { op, type DataOf, type InputOf, type OperationName } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;

async function orgWith(name: string, roles: Role[]) {
  const org = await app.provisionOrg(name);
  const users = [];
  for (const role of roles) {
    const user = await app.createUser([[org, role]]);
    users.push({ ...user, role, token: await app.token(user.id, org.id) });
  }
  return { org, users };
}

const roleOf = async (org: Organization, userId: string) =>
  (await app.central.membership.findUnique({ where: { userId_orgId: { userId, orgId: org.id } } }))?.role ?? null;
const call = <Name extends OperationName>(
  token: string,
  name: Name,
  input: InputOf<Name>,
): Promise<GraphQLResponse<DataOf<Name>>> => app.graphql<any, any>(op(name), { token, variables: { input } });

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("managing members", () => {
  it("adds an existing account by email with a role, once", async () => {
    const {
      org,
      users: [admin],
    } = await orgWith("add", ["ADMIN"]);
    const newcomer = await app.createUser();
    const added = dataOf(
      await call(admin!.token, "AddMember", { email: newcomer.email.toUpperCase(), role: "VIEWER" }),
    ).addMember;
    expect(added).toMatchObject({ role: "VIEWER", user: { id: newcomer.id, email: newcomer.email } });
    expect(await roleOf(org, newcomer.id)).toBe("VIEWER");
    expect(errorOf(await call(admin!.token, "AddMember", { email: newcomer.email }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "email",
    });
    expect(errorOf(await call(admin!.token, "AddMember", { email: "nobody@example.test" }))).toMatchObject({
      code: "NOT_FOUND",
      field: "email",
    });
    expect(errorOf(await call(admin!.token, "AddMember", { email: "not an email" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "email",
    });
  });

  it("changes roles and removes members; only owners grant, change or remove OWNER", async () => {
    const {
      org,
      users: [owner, admin, member],
    } = await orgWith("roles", ["OWNER", "ADMIN", "MEMBER"]);
    dataOf(await call(admin!.token, "ChangeRole", { userId: member!.id, role: "VIEWER" }));
    expect(await roleOf(org, member!.id)).toBe("VIEWER");
    expect(errorOf(await call(admin!.token, "ChangeRole", { userId: member!.id, role: "OWNER" })).code).toBe(
      "FORBIDDEN",
    );
    expect(errorOf(await call(admin!.token, "ChangeRole", { userId: owner!.id, role: "MEMBER" })).code).toBe(
      "FORBIDDEN",
    );
    expect(errorOf(await call(admin!.token, "RemoveMember", { userId: owner!.id })).code).toBe("FORBIDDEN");
    const outsider = await app.createUser();
    expect(errorOf(await call(admin!.token, "AddMember", { email: outsider.email, role: "OWNER" })).code).toBe(
      "FORBIDDEN",
    );
    expect(await roleOf(org, owner!.id)).toBe("OWNER");
    expect(await roleOf(org, outsider.id)).toBeNull();
    dataOf(await call(owner!.token, "ChangeRole", { userId: admin!.id, role: "OWNER" }));
    expect(await roleOf(org, admin!.id)).toBe("OWNER");
    const removed = dataOf(await call(owner!.token, "RemoveMember", { userId: member!.id })).removeMember;
    expect(removed).toMatchObject({ role: "VIEWER", user: { id: member!.id } });
    expect(await roleOf(org, member!.id)).toBeNull();
    expect(errorOf(await call(owner!.token, "RemoveMember", { userId: member!.id }))).toMatchObject({
      code: "NOT_FOUND",
      field: "userId",
    });
  });

  it("keeps at least one owner", async () => {
    const {
      org,
      users: [owner],
    } = await orgWith("last-owner", ["OWNER"]);
    expect(errorOf(await call(owner!.token, "ChangeRole", { userId: owner!.id, role: "ADMIN" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "role",
    });
    expect(errorOf(await call(owner!.token, "RemoveMember", { userId: owner!.id }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "userId",
    });
    expect(await roleOf(org, owner!.id)).toBe("OWNER");
  });

  it("keeps one owner when two owners demote each other at the same time", async () => {
    for (let round = 0; round < 2; round++) {
      const {
        org,
        users: [a, b],
      } = await orgWith(`duel-${round}`, ["OWNER", "OWNER"]);
      const results = await Promise.all([
        call(a!.token, "ChangeRole", { userId: b!.id, role: "ADMIN" }),
        call(b!.token, "ChangeRole", { userId: a!.id, role: "ADMIN" }),
      ]);
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      // The loser was demoted before its own change ran: it is no longer allowed to make it.
      expect(results.map((r) => (r.errors ? errorOf(r).code : "ok")).sort()).toEqual(["FORBIDDEN", "ok"]);
      const roles = [await roleOf(org, a!.id), await roleOf(org, b!.id)].sort();
      expect(roles).toEqual(["ADMIN", "OWNER"]);
    }
  });
});

describe("membersConnection", () => {
  it("pages through every member exactly once while members are added between pages", async () => {
    const {
      org,
      users: [owner],
    } = await orgWith("paging", ["OWNER"]);
    const initial = [owner!.id];
    for (let i = 0; i < 11; i++) initial.push((await app.createUser([[org, i % 2 ? "VIEWER" : "MEMBER"]])).id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r: any = dataOf(
        await app.graphql(op("Members"), { token: owner!.token, variables: { first: 4, after } }),
      ).membersConnection;
      seen.push(...r.edges.map((e: any) => e.node.user.id));
      await app.createUser([[org, "VIEWER"]]); // a new member between pages
      if (!r.pageInfo.hasNextPage) break;
      after = r.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of initial) expect(seen).toContain(id);
  });

  it("filters by role and search, caps first at 100 and refuses a foreign cursor", async () => {
    const {
      org,
      users: [owner, viewer],
    } = await orgWith("member-filter", ["OWNER", "VIEWER"]);
    const list = async (variables: Record<string, unknown>) =>
      dataOf(await app.graphql(op("Members"), { token: viewer!.token, variables })).membersConnection.edges.map(
        (e: any) => e.node.user.id,
      );
    expect(await list({ role: "OWNER" })).toEqual([owner!.id]);
    expect(await list({ search: viewer!.email.slice(0, 8).toUpperCase() })).toEqual([viewer!.id]);
    expect(await list({ search: "%" })).toEqual([]);
    const bulk = Array.from({ length: 100 }, () => ({
      id: crypto.randomUUID(),
      email: `${crypto.randomUUID()}@bulk.test`,
      name: "bulk",
    }));
    await app.central.user.createMany({ data: bulk });
    await app.central.membership.createMany({
      data: bulk.map((u) => ({ orgId: org.id, userId: u.id, role: "VIEWER" as const })),
    });
    expect(await list({ first: 500 })).toHaveLength(100);
    const bad = await app.graphql(op("Members"), { token: viewer!.token, variables: { after: "bm90IGEgY3Vyc29y" } });
    expect(errorOf(bad)).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});
