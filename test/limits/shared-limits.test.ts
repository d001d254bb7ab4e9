// Rate limits and quotas are counted in one store shared by every process: each test runs
// two app instances (two "processes") on one central database and spreads its requests over
// both. The PostgreSQL store (the central rate_limits table) is always tested; the Redis
// store when TEST_REDIS_URL (or REDIS_URL) names a Redis server.
import type { DocumentNode } from "graphql";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { App } from "../../src/app.ts";
import type { Organization } from "../../src/data/central-client.ts";
import { createOrgQuotas } from "../../src/limits/org-quotas.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { databaseOf, recordRoundTrips } from "../helpers/round-trips.ts";
import { requestVia, startSecondInstance, type RequestFrom } from "../helpers/second-instance.ts";

const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
if (!redisUrl) console.info("shared-limits: Redis store tests SKIPPED: set TEST_REDIS_URL (or REDIS_URL) to run them");

const STORES = [
  { store: "postgres", available: true, env: {} as Record<string, string> },
  {
    store: "redis",
    available: Boolean(redisUrl),
    env: redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `tg-test-${randomBytes(4).toString("hex")}` } : {},
  },
];

const LIMITS = {
  SIGNUPS_PER_IP_PER_HOUR: "3",
  LOGINS_PER_IP_PER_HOUR: "6",
  ORGS_PER_USER_PER_DAY: "2",
  ORG_REQUESTS_PER_SECOND: "100",
  ORG_COST_PER_MINUTE: "1000",
  ORG_LIMITS_CACHE_SECONDS: "0",
};

const email = (name: string) => `${name}-${randomUUID().slice(0, 8)}@limits.test`;
let addressCounter = 0;
/** A fresh client address per use, so tests do not share per-IP counts. */
const newAddress = () => `203.0.113.${++addressCounter}`;

describe.each(STORES)("$store store", ({ store, available, env }) => {
  let a: TestApp;
  let b: App;
  const orgStatements: string[] = [];
  /** Requests alternate between the two instances: even on a, odd on b. */
  const via = (i: number, query: string | DocumentNode, options?: RequestFrom) =>
    requestVia(i % 2 === 0 ? a : b, query, options);
  const signUp = (i: number, address: string, remoteAddress: string) =>
    via(i, op("SignUp"), { variables: { input: { email: address, password: "a long password" } }, remoteAddress });
  const logIn = (i: number, address: string, password: string, remoteAddress = newAddress()) =>
    via(i, op("LogIn"), { variables: { input: { email: address, password } }, remoteAddress });

  beforeAll(async () => {
    if (!available) return;
    a = await startTestApp({ env: { ...LIMITS, ...env }, onOrgQuery: (sql) => orgStatements.push(sql) });
    b = await startSecondInstance(a, { onOrgQuery: (sql) => orgStatements.push(sql) });
    expect([a.limitStore.kind, b.limitStore.kind]).toEqual([store, store]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it.runIf(available)(
    "5 failed log-ins spread over two instances lock the email on both, even for the right password",
    async () => {
      const address = email("mallory");
      dataOf(await signUp(0, address, newAddress()));
      for (let i = 0; i < 5; i++) expect(errorOf(await logIn(i, address, `guess ${i}`)).code).toBe("UNAUTHENTICATED");
      for (const i of [0, 1]) {
        const refused = await logIn(i, address, "a long password");
        expect(refused.status).toBe(429);
        expect(errorOf(refused).code).toBe("RATE_LIMITED");
        expect(errorOf(refused).extensions.retryAfterSeconds).toBeGreaterThan(0);
        expect(errorOf(refused).extensions.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
        expect(refused.headers.get("retry-after")).toBe(String(errorOf(refused).extensions.retryAfterSeconds));
      }
      if (store === "postgres") {
        // The store keys by a hash: the email never reaches the rate_limits table.
        const { rows } = await a.limitStore.central.query<{ key: string }>("SELECT key FROM rate_limits");
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.some((r) => r.key.includes(address.split("@")[0]!))).toBe(false);
      }
    },
  );

  it.runIf(available)(
    "sign-ups per client IP: every aliased signUp counts, the one over the limit creates nothing, on both instances",
    async () => {
      const address = newAddress();
      const emails = Array.from({ length: 5 }, (_, i) => email(`alias${i}`));
      const fields = emails.map(
        (e, i) => `s${i}: signUp(input: { email: "${e}", password: "a long password" }) { email }`,
      );
      const aliased = await via(0, `mutation { ${fields.join(" ")} }`, { remoteAddress: address });
      expect(aliased.status).toBe(429);
      expect(errorOf(aliased)).toMatchObject({ code: "RATE_LIMITED" });
      expect(aliased.errors![0]!.path).toEqual(["s3"]);
      const created = await a.central.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
      expect(created.map((u) => u.email).sort()).toEqual(emails.slice(0, 3).sort());

      // The other instance sees the same count; X-Forwarded-For is not believed without TRUST_PROXY.
      const late = email("late");
      const refused = await signUp(1, late, address);
      expect(refused.status).toBe(429);
      expect(errorOf(refused).extensions.retryAfterSeconds).toBeGreaterThan(0);
      const spoofed = await via(1, op("SignUp"), {
        variables: { input: { email: late, password: "a long password" } },
        remoteAddress: address,
        headers: { "x-forwarded-for": "198.51.100.99" },
      });
      expect(errorOf(spoofed).code).toBe("RATE_LIMITED");
      expect(await a.central.user.count({ where: { email: late } })).toBe(0);
      // Another address is not affected.
      dataOf(await signUp(1, late, newAddress()));
    },
  );

  it.runIf(available)("log-ins per client IP, over several emails and both instances", async () => {
    const address = newAddress();
    for (let i = 0; i < 6; i++)
      expect(errorOf(await logIn(i, email(`spray${i}`), "guess", address)).code).toBe("UNAUTHENTICATED");
    const refused = await logIn(6, email("spray6"), "guess", address);
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toMatchObject({ code: "RATE_LIMITED", message: expect.stringContaining("address") });
  });

  it.runIf(available)(
    "organizations created per user per day: 3 aliased createOrganization make 2, the third provisions nothing",
    async () => {
      const user = await a.createUser();
      const token = await a.token(user.id);
      const slugs = ["one", "two", "three"].map((n) => a.slugFor(`quota-${store}-${n}`));
      const fields = slugs.map(
        (slug, i) => `o${i}: createOrganization(input: { name: "Quota ${i}", slug: "${slug}" }) { token }`,
      );
      const result = await via(0, `mutation { ${fields.join(" ")} }`, { token });
      expect(result.status).toBe(429);
      expect(errorOf(result).code).toBe("RATE_LIMITED");
      expect(result.errors![0]!.path).toEqual(["o2"]);
      const orgs = await a.central.organization.findMany({ where: { slug: { in: slugs } }, select: { slug: true } });
      expect(orgs.map((o) => o.slug).sort()).toEqual(slugs.slice(0, 2).sort());
      // The other instance refuses the next one too; another user may still create one.
      const again = await via(
        1,
        `mutation { createOrganization(input: { name: "Again", slug: "${a.slugFor(`quota-${store}-again`)}" }) { token } }`,
        { token },
      );
      expect(again.status).toBe(429);
      expect(await a.central.organization.count({ where: { slug: a.slugFor(`quota-${store}-again`) } })).toBe(0);
      const other = await a.createUser();
      dataOf(
        await via(
          1,
          `mutation { createOrganization(input: { name: "Other", slug: "${a.slugFor(`quota-${store}-other`)}", }) { token } }`,
          { token: await a.token(other.id) },
        ),
      );
    },
  );

  it.runIf(available)(
    "cost per organization per minute: consumeCost counts given costs in one budget for both instances",
    async () => {
      const [org, tight] = await Promise.all([
        a.provisionOrg(`cost-${store}`, { tier: "SHARED" }),
        a.provisionOrg(`tight-${store}`, { tier: "SHARED" }),
      ]);
      await a.central.orgLimits.create({ data: { orgId: tight.id, costPerMinute: 10 } });
      const defaults = { requestsPerSecond: 100, costPerMinute: 50 };
      const [quotasA, quotasB] = [
        createOrgQuotas(a.limitStore, defaults, 0),
        createOrgQuotas(b.limitStore, defaults, 0),
      ];
      await quotasA.consumeCost(org.id, 30);
      await quotasB.consumeCost(org.id, 20); // exactly the budget
      for (const quotas of [quotasA, quotasB]) {
        const error = await quotas.consumeCost(org.id, 1).catch((e: unknown) => e);
        expect(error).toMatchObject({ extensions: { code: "RATE_LIMITED", http: { status: 429 } } });
        const retry = (error as { extensions: { retryAfterSeconds: number } }).extensions.retryAfterSeconds;
        expect(retry).toBeGreaterThan(0);
        expect(retry).toBeLessThanOrEqual(60);
      }
      await quotasA.consumeCost(org.id, 0); // free operations always pass
      // The override row: 10 per minute for this organization only.
      expect(await quotasB.limitsOf(tight.id)).toEqual({ requestsPerSecond: 100, costPerMinute: 10 });
      await expect(quotasB.consumeCost(tight.id, 11)).rejects.toMatchObject({ extensions: { code: "RATE_LIMITED" } });
      await expect(quotasA.consumeCost(tight.id, -1)).rejects.toThrow(/cost/);
    },
  );

  it.runIf(available)(
    "organization limits are leased in blocks: both instances together never exceed the budget, and most uses make no store round trip",
    async () => {
      const org = await a.provisionOrg(`leased-${store}`, { tier: "SHARED" });
      const defaults = { requestsPerSecond: 100, costPerMinute: 100 };
      const quotas = [createOrgQuotas(a.limitStore, defaults, 0), createOrgQuotas(b.limitStore, defaults, 0)];
      await quotas[0]!.limitsOf(org.id); // the org_limits lookup is not what is counted here
      await quotas[1]!.limitsOf(org.id);
      const storeTrips = recordRoundTrips();
      let admitted = 0;
      try {
        // Cost 3 at a time, alternating: blocks of 10 (a tenth of the budget) per instance.
        for (let i = 0; i < 60; i++) {
          const outcome = await quotas[i % 2]!.consumeCost(org.id, 3).then(
            () => "admitted",
            (error: { extensions?: { code?: string } }) => error.extensions?.code,
          );
          if (outcome === "admitted") admitted += 3;
          else expect(outcome).toBe("RATE_LIMITED");
        }
        expect(admitted).toBeLessThanOrEqual(100);
        // Unspent leases: at most one block (10) per instance is lost to the other.
        expect(admitted).toBeGreaterThanOrEqual(100 - 2 * 10);
        if (store === "postgres") {
          const leases = storeTrips.on(databaseOf(a.servers.main!)).filter((t) => t.text.includes("rate_limits"));
          // Refused uses are refused locally: far fewer store round trips than uses.
          expect(leases.length).toBeLessThanOrEqual(admitted / 3 / 2 + 2);
        }
      } finally {
        storeTrips.stop();
      }
    },
  );

  it.runIf(available && store === "postgres")(
    "counter writes do not wait for their WAL flush; the central database's other sessions still do",
    async () => {
      const setting = async (query: Promise<{ rows: Array<{ synchronous_commit: string }> }>) =>
        (await query).rows[0]!.synchronous_commit;
      expect(await setting(a.limitStore.central.query("SHOW synchronous_commit"))).toBe("off");
      const [central] = await a.central.$queryRaw<Array<{ synchronous_commit: string }>>`SHOW synchronous_commit`;
      expect(central!.synchronous_commit).toBe("on");
    },
  );

  it.runIf(available && store === "postgres")(
    "prepare (while a cold organization's client starts) takes both leases at once; the request's own uses then make no round trip",
    async () => {
      const org = await a.provisionOrg(`prepared-${store}`, { tier: "SHARED" });
      const quotas = createOrgQuotas(a.limitStore, { requestsPerSecond: 100, costPerMinute: 100 }, 60);
      const trips = recordRoundTrips();
      try {
        await quotas.prepare(org.id);
        const onCentral = () => trips.on(databaseOf(a.servers.main!));
        expect(onCentral().filter((t) => t.text.includes("org_limits"))).toHaveLength(1);
        expect(onCentral().filter((t) => t.text.includes("rate_limits"))).toHaveLength(2);
        const before = onCentral().length;
        await quotas.prepare(org.id); // held: nothing to take
        await quotas.consumeRequest(org.id);
        await quotas.consumeCost(org.id, 3);
        expect(onCentral()).toHaveLength(before);
        // Given the org_limits row routing read with the membership: no statement of its own, and the row's limit counts.
        const other = await a.provisionOrg(`prepared-row-${store}`, { tier: "SHARED" });
        await quotas.prepare(other.id, { requestsPerSecond: 1, costPerMinute: null });
        expect(onCentral().filter((t) => t.text.includes("org_limits"))).toHaveLength(1);
        expect(await quotas.limitsOf(other.id)).toEqual({ requestsPerSecond: 1, costPerMinute: 100 });
      } finally {
        trips.stop();
      }
    },
  );

  it.runIf(available)(
    "the operation cost is charged before it runs: over the budget, the request runs no SQL",
    async () => {
      const org = await a.provisionOrg(`costly-${store}`, { tier: "SCHEMA" });
      await a.central.orgLimits.create({ data: { orgId: org.id, costPerMinute: 5 } });
      const user = await a.createUser([[org, "MEMBER"]]);
      const token = await a.token(user.id, org.id);
      // Cost 2 each (operation-cost.ts), 4 of 5; this also opens the organization's client on both instances.
      for (const i of [0, 1]) dataOf(await via(i, `{ projectsConnection(first: 1) { totalCount } }`, { token }));
      orgStatements.length = 0;
      const refused = await via(1, `{ projectsConnection(first: 1) { totalCount edges { node { id name } } } }`, {
        token,
      }); // cost 6
      expect(refused.status).toBe(429);
      expect(errorOf(refused)).toMatchObject({ code: "RATE_LIMITED" });
      expect(refused.data).toBeUndefined();
      expect(orgStatements).toEqual([]);
    },
  );

  // Redis windows expire on Redis's clock, which the test cannot hold still: a one-second
  // window is tested on the PostgreSQL store only, where expiry follows the process clock.
  it.runIf(available && store === "postgres")(
    "requests per organization per second: the override row, not the default, and nothing runs when refused",
    async () => {
      const [busy, calm] = await Promise.all([
        a.provisionOrg("busy", { tier: "SCHEMA" }),
        a.provisionOrg("calm", { tier: "SCHEMA" }),
      ]);
      await a.central.orgLimits.create({ data: { orgId: busy.id, requestsPerSecond: 3 } });
      const tokenOf = async (org: Organization) => a.token((await a.createUser([[org, "VIEWER"]])).id, org.id);
      const [busyToken, calmToken] = await Promise.all([tokenOf(busy), tokenOf(calm)]);
      const query = `{ projectsConnection(first: 1) { totalCount } }`;
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // one window for the whole test
      try {
        for (let i = 0; i < 3; i++) dataOf(await via(i, query, { token: busyToken }));
        orgStatements.length = 0;
        for (const i of [3, 4]) {
          const refused = await via(i, query, { token: busyToken });
          expect(refused.status).toBe(429);
          expect(errorOf(refused)).toMatchObject({ code: "RATE_LIMITED", extensions: { retryAfterSeconds: 1 } });
          expect(refused.headers.get("retry-after")).toBe("1");
        }
        expect(orgStatements).toEqual([]);
        for (let i = 0; i < 6; i++) dataOf(await via(i, query, { token: calmToken }));
        vi.setSystemTime(Date.now() + 1_100); // the next second: a new window
        dataOf(await via(1, query, { token: busyToken }));
      } finally {
        vi.useRealTimers();
      }
    },
  );
});
