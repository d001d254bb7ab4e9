// An organization whose database cannot be reached answers TENANT_UNAVAILABLE (503) with no
// internal detail, both when its client is first created and when a cached client's
// database goes away; other organizations keep working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { dropDatabase } from "../../src/data/server-admin.ts";
import { memberOf } from "../helpers/fixtures.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
let healthy: { org: Organization; token: string };
beforeAll(async () => {
  app = await startTestApp();
  const org = await app.provisionOrg("healthy");
  healthy = { org, token: (await memberOf(app, org, "MEMBER")).token };
});
afterAll(() => app?.close());

async function member(name: string) {
  const org = await app.provisionOrg(name);
  return { org, token: (await memberOf(app, org, "MEMBER")).token };
}

function expectUnavailable(r: {
  status: number;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}) {
  expect(r.errors?.[0]?.extensions?.code).toBe("TENANT_UNAVAILABLE");
  expect(r.status).toBe(503);
  expect(JSON.stringify(r.errors)).not.toMatch(/does not exist|ECONNREFUSED|org_|postgres/i);
}

describe("unreachable organization databases", () => {
  it("refuses a cold organization whose database is gone", async () => {
    const gone = await member("gone-cold");
    await dropDatabase(app.servers.main!, gone.org.databaseName);
    expectUnavailable(await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: gone.token }));
    expect(
      (await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: healthy.token })).status,
    ).toBe(200);
  });

  it("refuses a cached organization whose database went away", async () => {
    const gone = await member("gone-warm");
    expect((await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: gone.token })).status).toBe(
      200,
    );
    await dropDatabase(app.servers.main!, gone.org.databaseName); // WITH (FORCE): its pooled connections are killed
    const r = await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: gone.token });
    expect(r.errors?.[0]?.extensions?.code).toBe("TENANT_UNAVAILABLE");
    expect(JSON.stringify(r.errors)).not.toMatch(/does not exist|terminat|org_/i);
    expect(
      (await app.graphql(`{ projectsConnection(first: 5) { totalCount } }`, { token: healthy.token })).status,
    ).toBe(200);
  });
});
