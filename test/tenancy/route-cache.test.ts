// Placements and memberships are cached per process, and forgotten through the central
// database's events: two app instances ("processes") on one central database. A change made
// through one instance applies there at once (the same request path, no wait) and on the other
// within 100 ms (polled with a deadline); a warm request of a cached organization runs no
// central statement.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { Role } from "../../src/data/central-client.ts";
import type { OrgRoute } from "../../src/data/org-access.ts";
import { databaseUrlOn, resolvePlacement } from "../../src/data/placement.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { changeOrganization } from "../../src/lifecycle/org-changes.ts";
import { RouteCache } from "../../src/tenancy/route-cache.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf } from "../helpers/results.ts";
import { databaseOf, recordRoundTrips } from "../helpers/round-trips.ts";
import { requestVia, startSecondInstance } from "../helpers/second-instance.ts";

/** How soon the other process must apply a change (issue 10). */
const PROPAGATION_MS = 100;
const PROJECTS = `{ projectsConnection(first: 10) { edges { node { name } } } }`;

let a: TestApp;
let b: App;
const trips = recordRoundTrips();
let central: string;

beforeAll(async () => {
  a = await startTestApp();
  b = await startSecondInstance(a);
  central = databaseOf(a.servers.main!);
});
afterAll(async () => {
  trips.stop();
  await b?.close();
  await a?.close();
});

const projects = (app: App, token: string, orgId?: string) => requestVia(app, PROJECTS, { token, orgId });

/** Polls `request` until `accept` holds; fails after `ms`. Returns how long it took. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const codeOf = async (response: Promise<{ errors?: Array<{ extensions?: { code?: string } }> }>) =>
  (await response).errors?.[0]?.extensions?.code ?? "OK";

/** Two requests on each instance: the first fills the cache, the second must find it. */
async function warm(member: Member, orgId?: string) {
  for (const app of [a, b, a, b]) dataOf(await projects(app, member.token, orgId));
}

describe("warm requests", () => {
  it("run no central statement, whichever way the organization is named, on both instances", async () => {
    const org = await a.provisionOrg("cache-warm");
    const other = await a.provisionOrg("cache-warm-other");
    const solo = await memberOf(a, org, "MEMBER"); // one membership: no claim needed
    const several = await a.createUser([
      [org, "VIEWER"],
      [other, "ADMIN"],
    ]);
    const ways = {
      "token claim": { token: solo.token, orgId: undefined },
      "X-Org-Id": { token: await a.token(several.id), orgId: other.id },
      "only membership": { token: await a.token(solo.id), orgId: undefined },
    };
    for (const [way, { token, orgId }] of Object.entries(ways)) {
      for (const app of [a, b]) {
        dataOf(await projects(app, token, orgId)); // cold: one central statement reads org + membership
        trips.clear();
        dataOf(await projects(app, token, orgId));
        expect(
          trips
            .on(central)
            .map((t) => t.text)
            .filter((sql) => !sql.includes("rate_limits")), // counted in batches: test/graphql/statement-count.test.ts
          `${way}: central statements of a warm request`,
        ).toEqual([]);
      }
    }
    expect(a.routes.stats().hits).toBeGreaterThan(0);
  });

  it("a cold request reads the organization, the membership and the user in one central statement", async () => {
    const org = await a.provisionOrg("cache-cold");
    const member = await memberOf(a, org, "MEMBER");
    await a.graphql(`{ me { id } }`, { token: member.token }); // the token check's own reads are not routing
    trips.clear();
    dataOf(await projects(b, member.token));
    const routing = trips.on(central).filter((t) => /organizations/.test(t.text));
    expect(routing).toHaveLength(1);
    expect(routing[0]!.text).toMatch(/memberships/);
    expect(routing[0]!.text).toMatch(/users/);
  });
});

describe("a change through one instance", () => {
  it("a removed member is refused at once there, and within 100 ms on the other; re-added, accepted at once", async () => {
    const org = await a.provisionOrg("cache-removed");
    const owner = await memberOf(a, org, "OWNER");
    const member = await memberOf(a, org, "MEMBER");
    await warm(member);
    dataOf(await a.graphql(op("RemoveMember"), { token: owner.token, variables: { input: { userId: member.id } } }));
    expect(await codeOf(projects(a, member.token))).toBe("FORBIDDEN");
    await within(PROPAGATION_MS, "refused on the other instance", async () => {
      return (await codeOf(projects(b, member.token))) === "FORBIDDEN";
    });
    // A refusal is never cached: added again (through the other instance), the member is served at once on both.
    dataOf(await requestVia(b, op("AddMember"), { token: owner.token, variables: { input: { email: member.email } } }));
    expect(await codeOf(projects(b, member.token))).toBe("OK");
    expect(await codeOf(projects(a, member.token))).toBe("OK");
  });

  it("a changed role applies at once there and within 100 ms on the other", async () => {
    const org = await a.provisionOrg("cache-role");
    const owner = await memberOf(a, org, "OWNER");
    const member = await memberOf(a, org, "ADMIN");
    const create = (app: App, name: string) =>
      codeOf(requestVia(app, op("NewProject"), { token: member.token, variables: { input: { name } } }));
    expect(await create(a, "as admin on a")).toBe("OK");
    expect(await create(b, "as admin on b")).toBe("OK");
    dataOf(
      await a.graphql(op("ChangeRole"), {
        token: owner.token,
        variables: { input: { userId: member.id, role: "VIEWER" } },
      }),
    );
    expect(await create(a, "as viewer on a")).toBe("FORBIDDEN");
    let attempt = 0;
    await within(PROPAGATION_MS, "the viewer role on the other instance", async () => {
      return (await create(b, `as viewer on b ${attempt++}`)) === "FORBIDDEN";
    });
  });

  it("a deleted organization is refused at once there and within 100 ms on the other, whose clients are dropped", async () => {
    const org = await a.provisionOrg("cache-deleted", { tier: "SCHEMA" });
    const member = await memberOf(a, org, "OWNER");
    await warm(member);
    expect(b.orgClients.hasOrg(org.id)).toBe(true);
    await deleteOrganization(a.lifecycle, org.slug);
    expect(await codeOf(projects(a, member.token))).toBe("UNAUTHENTICATED");
    await within(PROPAGATION_MS, "refused on the other instance", async () => {
      return (await codeOf(projects(b, member.token))) === "UNAUTHENTICATED";
    });
    expect(b.orgClients.hasOrg(org.id)).toBe(false);
  });

  it("a state change (not READY) is refused at once there and within 100 ms on the other; READY again, served", async () => {
    const org = await a.provisionOrg("cache-failed", { tier: "SHARED" });
    const member = await memberOf(a, org, "VIEWER");
    await warm(member);
    // Any state but READY and MOVING (served from its source during a move) is refused.
    await changeOrganization(a.lifecycle, org.id, { state: "FAILED" });
    expect(await codeOf(projects(a, member.token))).toBe("TENANT_UNAVAILABLE");
    await within(PROPAGATION_MS, "refused on the other instance", async () => {
      return (await codeOf(projects(b, member.token))) === "TENANT_UNAVAILABLE";
    });
    await changeOrganization(a.lifecycle, org.id, { state: "READY" });
    for (const app of [a, b]) expect(await codeOf(projects(app, member.token))).toBe("OK");
  });

  it("a changed placement is rerouted at once there and within 100 ms on the other; the old clients are dropped", async () => {
    const org = await a.provisionOrg("cache-placed");
    const target = await a.provisionOrg("cache-target", { server: "second" });
    const owner = await memberOf(a, org, "OWNER");
    await newProject(a, owner.token, "before the move");
    // The move's copy: the organization's rows in the target database (as a move would leave them).
    await withAdminClient(
      (c) =>
        c.query(`INSERT INTO projects (id, org_id, name, created_by_id, updated_at) VALUES ($1, $2, $3, $4, now())`, [
          randomUUID(),
          org.id,
          "after the move",
          owner.id,
        ]),
      databaseUrlOn(a.servers.second!, target.databaseName),
    );
    await warm(owner);
    const oldKey = resolvePlacement(org, a.servers).key;
    const names = async (app: App) =>
      dataOf(await projects(app, owner.token)).projectsConnection.edges.map(
        (e: { node: { name: string } }) => e.node.name,
      );
    expect(await names(b)).toEqual(["before the move"]);

    await changeOrganization(a.lifecycle, org.id, { server: "second", databaseName: target.databaseName });
    expect(await names(a)).toEqual(["after the move"]);
    await within(PROPAGATION_MS, "rerouted on the other instance", async () => {
      return (await names(b))[0] === "after the move";
    });
    for (const app of [a, b]) expect(app.orgClients.has(oldKey)).toBe(false);
    await changeOrganization(a.lifecycle, org.id, { server: org.server, databaseName: org.databaseName });
  });

  it("a user's only organization is forgotten when they join another (no claim then selects none)", async () => {
    const first = await a.provisionOrg("cache-sole-1");
    const second = await a.provisionOrg("cache-sole-2");
    const owner = await memberOf(a, second, "OWNER");
    const user = await memberOf(a, first, "MEMBER");
    const noClaim = await a.token(user.id);
    const current = async (app: App) =>
      dataOf(await requestVia(app, `{ currentOrganization { id } }`, { token: noClaim })).currentOrganization;
    for (const app of [a, b, a, b]) expect(await current(app)).toEqual({ id: first.id });
    dataOf(await a.graphql(op("AddMember"), { token: owner.token, variables: { input: { email: user.email } } }));
    expect(await current(a)).toBeNull();
    await within(PROPAGATION_MS, "the other instance sees two organizations", async () => (await current(b)) === null);
  });
});

describe("RouteCache", () => {
  const route = (id: string): OrgRoute => ({
    id,
    slug: `org-${id}`,
    name: id,
    state: "READY",
    tier: "SHARED",
    server: "main",
    databaseName: "db",
    schemaName: null,
    schemaVersion: "1",
  });
  const newCache = (listening = () => true) => new RouteCache({ maxEntries: 3, ttlMs: 0, listening });
  const fill = (cache: RouteCache, org: string, user: string, role: Role = "MEMBER", sole = false) =>
    cache.store(cache.begin(), user, route(org), role, sole);

  it("forgets a membership in one organization only: the user's other memberships and other users stay", () => {
    const cache = newCache();
    fill(cache, "o1", "u1");
    fill(cache, "o2", "u1");
    fill(cache, "o1", "u2");
    cache.forgetMembership("o1", "u1");
    expect(cache.lookup("u1", "o1")).toBeUndefined();
    expect(cache.lookup("u1", "o2")?.org.id).toBe("o2");
    expect(cache.lookup("u2", "o1")?.role).toBe("MEMBER");
  });

  it("drops an answer read before an event that arrived while it was being read", () => {
    const cache = newCache();
    const epoch = cache.begin();
    cache.forgetMembership("o1", "u1"); // the removal's event arrives during the read
    cache.store(epoch, "u1", route("o1"), "OWNER");
    expect(cache.lookup("u1", "o1")).toBeUndefined();
  });

  it("keeps only READY organizations, is bounded, and is bypassed while not listening", () => {
    let listening = true;
    const cache = newCache(() => listening);
    cache.store(cache.begin(), "u1", { ...route("moving"), state: "MOVING" }, "OWNER");
    expect(cache.lookup("u1", "moving")).toBeUndefined();
    for (const org of ["o1", "o2", "o3", "o4"]) fill(cache, org, "u1");
    expect(cache.stats().orgs).toBe(3);
    expect(cache.lookup("u1", "o1")).toBeUndefined(); // least recently used, evicted
    listening = false;
    expect(cache.lookup("u1", "o4")).toBeUndefined();
    fill(cache, "o5", "u1");
    listening = true;
    expect(cache.lookup("u1", "o5")).toBeUndefined();
    expect(cache.lookup("u1", "o4")?.org.id).toBe("o4");
  });

  it("a deleted organization takes its memberships and every user's 'only organization' naming it", () => {
    const cache = newCache();
    fill(cache, "o1", "u1", "OWNER", true);
    fill(cache, "o2", "u2", "OWNER", true);
    expect(cache.lookup("u1", null)?.org.id).toBe("o1");
    cache.forgetDeletedOrg("o1");
    expect(cache.lookup("u1", null)).toBeUndefined();
    expect(cache.lookup("u2", null)?.org.id).toBe("o2");
    cache.clear();
    expect(cache.lookup("u2", null)).toBeUndefined();
  });
});
