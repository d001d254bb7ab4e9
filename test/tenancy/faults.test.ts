// Faults map to clear, retryable codes for the organization concerned only, and its client
// recovers without a restart: terminated backends, a dropped and recreated schema. Hostile
// cursors and ids are BAD_USER_INPUT, never a masked internal error.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { migrateTarget, orgTarget, tenantMigrations } from "../../src/lifecycle/targets.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
const logLines: Array<{ level: number; msg: string }> = [];
beforeAll(async () => {
  // What the server logs: input mistakes must not be logged at error level.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestApp({ logger: pino({ level: "warn" }, sink) });
});
afterAll(() => app?.close());

const LIST = `{ projectsConnection(first: 5) { totalCount } }`;

async function orgWithMember(name: string, tier: "DATABASE" | "SCHEMA" | "SHARED" = "DATABASE") {
  const org = await app.provisionOrg(name, { tier });
  const token = await app.token((await app.createUser([[org, "OWNER"]])).id, org.id);
  const created = await app.graphql(`mutation { createProject(input: { name: "p" }) { id } }`, { token });
  expect(created.errors).toBeUndefined();
  return { org, token };
}

function expectRetryableUnavailable(r: {
  status: number;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}) {
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: "TENANT_UNAVAILABLE", retryable: true });
  expect(r.status).toBe(503);
  expect(JSON.stringify(r.errors)).not.toMatch(/terminat|does not exist|relation|org_|postgres/i);
}

async function terminateBackends(org: Organization): Promise<number> {
  const datasource = resolvePlacement(org, app.servers);
  return withPgClient(app.servers[org.server]!, async (c) => {
    const r = await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [datasource.database],
    );
    return r.rowCount ?? 0;
  });
}

describe("faults", () => {
  it.each(["DATABASE", "SCHEMA", "SHARED"] as const)(
    "terminated backends (%s tier): TENANT_UNAVAILABLE at worst, then served again without a restart",
    async (tier) => {
      const victim = await orgWithMember(`term-${tier.toLowerCase()}`, tier);
      const bystander = await orgWithMember(`bystander-${tier.toLowerCase()}`, "DATABASE");
      for (let round = 0; round < 6; round++) {
        expect((await app.graphql(LIST, { token: victim.token })).data).toEqual({
          projectsConnection: { totalCount: 1 },
        });
        expect(await terminateBackends(victim.org)).toBeGreaterThan(0);
        // Requests right after the termination either succeed (a fresh connection) or are retryable.
        const results = await Promise.all(Array.from({ length: 4 }, () => app.graphql(LIST, { token: victim.token })));
        for (const r of results) {
          if (r.errors) expectRetryableUnavailable(r);
          else expect(r.data).toEqual({ projectsConnection: { totalCount: 1 } });
        }
        expect((await app.graphql(LIST, { token: victim.token })).data).toEqual({
          projectsConnection: { totalCount: 1 },
        });
        expect((await app.graphql(LIST, { token: bystander.token })).data).toEqual({
          projectsConnection: { totalCount: 1 },
        });
      }
    },
  );

  it("a dropped schema: TENANT_UNAVAILABLE for that organization only, and served again once it is recreated", async () => {
    const victim = await orgWithMember("dropped-schema", "SCHEMA");
    const neighbour = await orgWithMember("schema-neighbour", "SCHEMA");
    expect((await app.graphql(LIST, { token: victim.token })).status).toBe(200);
    const datasource = resolvePlacement(victim.org, app.servers);
    await withPgClient(datasource.url, (c) => c.query(`DROP SCHEMA "${datasource.schema}" CASCADE`));
    expectRetryableUnavailable(await app.graphql(LIST, { token: victim.token }));
    expect((await app.graphql(LIST, { token: neighbour.token })).data).toEqual({
      projectsConnection: { totalCount: 1 },
    });
    // Recreated (empty) by running its migrations again: the cached client works at once.
    const org = await app.central.organization.findUniqueOrThrow({ where: { id: victim.org.id } });
    await migrateTarget(app.lifecycle, { ...orgTarget(org, app.servers) }, await tenantMigrations(app.lifecycle));
    expect((await app.graphql(LIST, { token: victim.token })).data).toEqual({ projectsConnection: { totalCount: 0 } });
  });

  it("hostile cursors and ids are BAD_USER_INPUT, not internal errors, and are not logged as errors", async () => {
    const { token } = await orgWithMember("cursors");
    logLines.length = 0;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const cursors = [
      b64("GPC:S:x"),
      b64("GPC:J:{"),
      b64("GPC:N:1e999"),
      "!!!not base64!!!",
      b64("x".repeat(5000)),
      b64("GPC:S:" + "a".repeat(100_000)),
    ];
    for (const after of cursors) {
      for (const query of [
        `query($after: String) { projectsConnection(first: 2, after: $after) { totalCount edges { cursor } } }`,
        `query($after: String) { itemsConnection(first: 2, after: $after) { totalCount edges { cursor } } }`,
        `query($after: String) { projectsConnection(last: 2, before: $after) { totalCount edges { cursor } } }`,
        `query($after: String) { membersConnection(first: 2, after: $after) { edges { cursor } } }`,
      ]) {
        const r = await app.graphql(query, { token, variables: { after } });
        expect(r.errors?.[0]?.extensions?.code, `${query} after=${after.slice(0, 20)}`).toBe("BAD_USER_INPUT");
        expect(r.status).toBe(400);
      }
    }
    for (const id of [
      "garbage",
      "00000000-0000-0000-0000-00000000000g",
      "'; DROP TABLE projects; --",
      "x".repeat(10_000),
    ]) {
      const read = await app.graphql(`query($id: ID!) { project(id: $id) { id } item(id: $id) { id } }`, {
        token,
        variables: { id },
      });
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual({ project: null, item: null });
      const write = await app.graphql(
        `mutation($id: ID!) { updateProject(input: { id: $id, version: 1, name: "x" }) { id } }`,
        { token, variables: { id } },
      );
      expect(["BAD_USER_INPUT", "NOT_FOUND"]).toContain(write.errors?.[0]?.extensions?.code);
      const dep = await app.graphql(`mutation($id: ID!) { createItem(input: { projectId: $id, title: "x" }) { id } }`, {
        token,
        variables: { id },
      });
      expect(["BAD_USER_INPUT", "NOT_FOUND"]).toContain(dep.errors?.[0]?.extensions?.code);
    }
    expect(logLines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
  });
});
