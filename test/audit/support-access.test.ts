// Support access (`tenantgraph impersonate`): a short-lived token acting as a member of one
// organization, naming the operator (RFC 8693 act), read-only unless --write, usable for
// that organization only; its start and every request made with it are audited with both
// identities and the organization's owners read them in auditLog.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSupportAccess } from "../../src/accounts/support-access.ts";
import type { Organization } from "../../src/data/central-client.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { nodes } from "../helpers/connections.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { cliEnvOf, runCli } from "../helpers/run-cli.ts";

let app: TestApp;
let org: Organization;
let other: Organization;
let owner: Member;
let member: Member;

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("support", { tier: "SCHEMA" });
  other = await app.provisionOrg("support-other", { tier: "SHARED" });
  owner = await memberOf(app, org, "OWNER");
  // The member belongs to both organizations: the token must reach only one.
  member = await memberOf(app, org, "MEMBER");
  await app.central.membership.create({ data: { userId: member.id, orgId: other.id, role: "OWNER" } });
  await newProject(app, owner.token, "customer project");
});
afterAll(() => app?.close());

const cliEnv = () => cliEnvOf(app);

const access = (overrides: Partial<Parameters<typeof startSupportAccess>[1]> = {}) =>
  startSupportAccess(
    { central: app.central, servers: app.servers, auth: app.config.auth },
    {
      slug: org.slug,
      email: member.email,
      reason: "ticket 4711",
      minutes: 15,
      write: false,
      operator: "alice@support",
      ...overrides,
    },
  );

const ownersLog = async (filter: Record<string, unknown>) =>
  nodes(dataOf(await app.graphql(op("AuditLog"), { token: owner.token, variables: { first: 100, filter } })).auditLog);

describe("tenantgraph impersonate", () => {
  it(
    "prints a read-only token for 15 minutes naming the operator, and audits its start",
    { timeout: 60_000 },
    async () => {
      const r = await runCli(
        ["impersonate", "--org", org.slug, "--user", member.email, "--reason", "ticket 1234", "--operator", "bob"],
        cliEnv(),
      );
      expect(r.stderr).toContain("read-only");
      expect(r.code).toBe(0);
      const token = r.stdout.trim();
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ sub: member.id, org: org.id, act: { sub: "bob" }, scope: "impersonation:read" });
      expect(claims.exp! - claims.iat!).toBe(15 * 60);

      const me = dataOf(await app.graphql(op("WhoAmI"), { token })).me;
      expect(me).toMatchObject({
        id: member.id,
        impersonatedBy: { operator: "bob", write: false, session: claims.jti },
      });
      // An ordinary session is not impersonated.
      expect(dataOf(await app.graphql(op("WhoAmI"), { token: member.token })).me.impersonatedBy).toBeNull();

      const started = await ownersLog({ action: "impersonation.started" });
      expect(started.find((e) => JSON.parse(e.details!).session === claims.jti)).toMatchObject({
        actorId: member.id,
        operator: "bob",
        impersonator: "bob",
        targetId: member.id,
      });
      const central = await app.central.accountAuditEvent.findMany({
        where: { action: "impersonation.started", operator: "bob" },
      });
      expect(central).toHaveLength(1);
      expect(central[0]).toMatchObject({
        userId: member.id,
        orgId: org.id,
        details: expect.objectContaining({ reason: "ticket 1234" }),
      });
    },
  );

  it(
    "refuses more than 60 minutes, deleted organizations and users who are not members",
    { timeout: 60_000 },
    async () => {
      const tooLong = await runCli(
        ["impersonate", "--org", org.slug, "--user", member.email, "--reason", "x-123", "--minutes", "61"],
        cliEnv(),
      );
      expect(tooLong.code).toBe(1);
      expect(tooLong.stderr).toMatch(/minutes.*1 to 60/);
      await expect(access({ minutes: 61 })).rejects.toThrow(/1-60/);
      const stranger = await app.createUser();
      await expect(access({ email: stranger.email })).rejects.toThrow(/not a member/);
      const gone = await app.provisionOrg("support-gone");
      const goneMember = await memberOf(app, gone, "OWNER");
      await deleteOrganization(app, gone.slug);
      await expect(access({ slug: gone.slug, email: goneMember.email })).rejects.toThrow(/deleted/);
      const viaCli = await runCli(
        ["impersonate", "--org", gone.slug, "--user", goneMember.email, "--reason", "ticket 9"],
        cliEnv(),
      );
      expect(viaCli.code).toBe(1);
      expect(viaCli.stderr).toMatch(/deleted/);
    },
  );
});

describe("requests with a support-access token", () => {
  it("reads, refuses mutations unless --write, and records every request with both identities", async () => {
    const { token, id } = await access({ operator: "carol" });
    const projects = await app.graphql(op("Projects"), { token, variables: { first: 10 } });
    expect(nodes(dataOf(projects).projectsConnection).map((p: any) => p.name)).toContain("customer project");

    const refused = await app.graphql(op("NewProject"), { token, variables: { input: { name: "by support" } } });
    expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/read-only.*--write/) });

    const requests = (await ownersLog({ action: "impersonated.request" })).filter(
      (e) => JSON.parse(e.details!).session === id,
    );
    expect(requests.map((e) => [e.targetId, e.actorId, e.impersonator])).toEqual([
      ["NewProject", member.id, "carol"],
      ["Projects", member.id, "carol"],
    ]);
    expect(JSON.parse(requests[0]!.details!)).toMatchObject({ operationType: "mutation", refused: expect.any(String) });
    expect(JSON.parse(requests[1]!.details!)).toMatchObject({ operationType: "query", fields: ["projectsConnection"] });
    expect(await ownersLog({ action: "project.created", actorId: member.id })).toEqual([]);
  });

  it("with --write changes data, and the change's record names the operator too", async () => {
    const { token } = await access({ operator: "dave", write: true });
    const projects = dataOf(await app.graphql(op("Projects"), { token, variables: { first: 10 } }));
    const project = nodes(projects.projectsConnection)[0] as { id: string };
    const created = dataOf(
      await app.graphql(op("NewItem"), {
        token,
        variables: { input: { projectId: project.id, title: "fixed by support" } },
      }),
    );
    const [record] = await ownersLog({ targetId: created.createItem.id });
    expect(record).toMatchObject({ action: "item.created", actorId: member.id, impersonator: "dave" });
  });

  it("is usable for its organization only, and never for account-level fields", async () => {
    const { token } = await access({ operator: "erin", write: true });
    const elsewhere = await app.graphql(op("Projects"), { token, orgId: other.id, variables: { first: 10 } });
    expect(errorOf(elsewhere).code).toBe("FORBIDDEN");
    for (const document of [
      `{ myOrganizations { id } }`,
      `mutation { switchOrganization(orgId: "${other.id}") { token } }`,
      `mutation { createOrganization(input: { name: "x", slug: "by-support-x" }) { token } }`,
      `query { ...F } fragment F on Query { myOrganizations { id } }`,
    ]) {
      const r = await app.graphql(document, { token });
      expect(errorOf(r).code, document).toBe("FORBIDDEN");
      expect(r.data ?? null, document).toBeNull();
    }
    // The same user's own token still reaches the other organization.
    expect(
      dataOf(await app.graphql(`{ myOrganizations { id } }`, { token: member.token })).myOrganizations,
    ).toHaveLength(2);
  });

  it("a tampered act claim or one without an organization is not a credential", async () => {
    const { token } = await access({ operator: "frank" });
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: "impersonation:read impersonation:write" })).toString(
      "base64url",
    );
    const r = await app.graphql(op("WhoAmI"), { token: `${header}.${forged}.${signature}` });
    expect(errorOf(r).code).toBe("UNAUTHENTICATED");
  });
});
