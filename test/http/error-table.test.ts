// Every row of the README's error table ("Errors"), with its code and HTTP status, one
// case (or more) per row. test/auth/tokens.test.ts covers every kind of bad token.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { dropDatabase } from "../../src/data/server-admin.ts";
import { startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";

let app: TestApp;
let org: Organization;
let owner: string;
beforeAll(async () => {
  app = await startTestApp({ loginThrottle: { maxAttempts: 2, windowMs: 60_000 } });
  org = await app.provisionOrg("errors");
  owner = await app.token((await app.createUser([[org, "OWNER"]])).id, org.id);
});
afterAll(() => app?.close());

function expectCode(r: GraphQLResponse, code: string, status: number, extensions: Record<string, unknown> = {}) {
  expect(r.errors?.[0]?.extensions, JSON.stringify(r.errors)).toMatchObject({ code, ...extensions });
  expect(r.status).toBe(status);
  expect(JSON.stringify(r.errors)).not.toMatch(/prisma|postgres|at .*\.ts|stack/i);
}

const PROJECTS = `{ projectsConnection(first: 1) { totalCount } }`;

describe("the README's error table", () => {
  it("UNAUTHENTICATED 401: no token, a malformed token, an unknown user (also with a real org claim), an organization that does not exist", async () => {
    expectCode(await app.graphql(PROJECTS), "UNAUTHENTICATED", 401);
    expectCode(await app.graphql(PROJECTS, { headers: { authorization: "Bearer not.a.jwt" } }), "UNAUTHENTICATED", 401);
    expectCode(await app.graphql(`{ me { id } }`, { token: await app.token(randomUUID()) }), "UNAUTHENTICATED", 401);
    expectCode(await app.graphql(PROJECTS, { token: await app.token(randomUUID(), org.id) }), "UNAUTHENTICATED", 401);
    const member = await app.createUser([[org, "MEMBER"]]);
    expectCode(
      await app.graphql(PROJECTS, { token: await app.token(member.id, randomUUID()) }),
      "UNAUTHENTICATED",
      401,
    );
  });

  it("FORBIDDEN 403: not a member of the organization asked for; a role that does not allow the field", async () => {
    const other = await app.provisionOrg("errors-other");
    const outsider = await app.createUser([[other, "OWNER"]]);
    expectCode(await app.graphql(PROJECTS, { token: await app.token(outsider.id, org.id) }), "FORBIDDEN", 403);
    const viewer = await app.createUser([[org, "VIEWER"]]);
    expectCode(
      await app.graphql(`mutation { createProject(input: { name: "no" }) { id } }`, {
        token: await app.token(viewer.id, org.id),
      }),
      "FORBIDDEN",
      403,
    );
  });

  it("EMAIL_NOT_VERIFIED 403: creating an organization before verifying the address", async () => {
    const user = await app.createUser();
    await app.central.user.update({ where: { id: user.id }, data: { emailVerifiedAt: null } });
    const create = `mutation { createOrganization(input: { name: "Unverified", slug: "${app.slugFor("unverified")}" }) { token } }`;
    expectCode(await app.graphql(create, { token: await app.token(user.id) }), "EMAIL_NOT_VERIFIED", 403);
  });

  it("ORG_HOST_MISMATCH 403: on an organization's host name, a token naming another organization", async () => {
    const hosted = await app.provisionOrg("errors-hosted");
    await app.central.orgHost.create({
      data: { host: `${hosted.slug}.example.test`, orgId: hosted.id, kind: "CUSTOM" },
    });
    const user = await app.createUser([
      [org, "OWNER"],
      [hosted, "OWNER"],
    ]);
    expectCode(
      await app.graphql(PROJECTS, {
        token: await app.token(user.id, org.id),
        headers: { host: `${hosted.slug}.example.test` },
      }),
      "ORG_HOST_MISMATCH",
      403,
    );
  });

  it("NOT_FOUND 404: an item under a project that is not in the organization", async () => {
    expectCode(
      await app.graphql(`mutation { createItem(input: { projectId: "${randomUUID()}", title: "x" }) { id } }`, {
        token: owner,
      }),
      "NOT_FOUND",
      404,
    );
  });

  it("BAD_USER_INPUT 400: invalid input naming its field; no organization selected", async () => {
    expectCode(
      await app.graphql(`mutation { createProject(input: { name: "" }) { id } }`, { token: owner }),
      "BAD_USER_INPUT",
      400,
      { field: expect.stringMatching(/name/) },
    );
    const second = await app.provisionOrg("errors-second");
    const several = await app.createUser([
      [org, "MEMBER"],
      [second, "MEMBER"],
    ]);
    expectCode(await app.graphql(PROJECTS, { token: await app.token(several.id) }), "BAD_USER_INPUT", 400);
  });

  it("CONFLICT 409: a write naming a version that is no longer current", async () => {
    const created = await app.graphql(`mutation { createProject(input: { name: "versioned" }) { id version } }`, {
      token: owner,
    });
    const { id, version } = created.data.createProject;
    const update = `mutation($id: ID!, $v: Int!) { updateProject(input: { id: $id, version: $v, name: "renamed" }) { version } }`;
    expect((await app.graphql(update, { token: owner, variables: { id, v: version } })).data).toEqual({
      updateProject: { version: version + 1 },
    });
    expectCode(await app.graphql(update, { token: owner, variables: { id, v: version } }), "CONFLICT", 409, {
      currentVersion: version + 1,
    });
  });

  it("RATE_LIMITED 429: too many log-in attempts for one email", async () => {
    const logIn = `mutation { logIn(input: { email: "nobody-${randomUUID()}@example.com", password: "wrong password" }) { token } }`;
    for (let i = 0; i < 2; i++) expectCode(await app.graphql(logIn), "UNAUTHENTICATED", 401);
    expectCode(await app.graphql(logIn), "RATE_LIMITED", 429, { retryAfterSeconds: expect.any(Number) });
  });

  it("TENANT_UNAVAILABLE 503 (retryable): an organization not READY, or whose database cannot be reached", async () => {
    const moving = await app.provisionOrg("errors-moving");
    const a = await app.token((await app.createUser([[moving, "OWNER"]])).id, moving.id);
    await app.central.organization.update({ where: { id: moving.id }, data: { state: "PROVISIONING" } });
    expectCode(await app.graphql(PROJECTS, { token: a }), "TENANT_UNAVAILABLE", 503, { retryable: true });
    const gone = await app.provisionOrg("errors-gone");
    const b = await app.token((await app.createUser([[gone, "OWNER"]])).id, gone.id);
    await dropDatabase(app.servers.main!, gone.databaseName);
    expectCode(await app.graphql(PROJECTS, { token: b }), "TENANT_UNAVAILABLE", 503, { retryable: true });
  });
});
