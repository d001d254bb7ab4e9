// The organization audit log in every tier: each write leaves one record with the fields it
// changed (old and new), the versions, the actor, the request id and the client address;
// the write and its record commit together or not at all; admins and owners read the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { requestVia, startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { nodes } from "../helpers/connections.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function auditLog(token: string, filter: Record<string, unknown> = {}, first = 50) {
  return nodes(dataOf(await app.graphql(op("AuditLog"), { token, variables: { first, filter } })).auditLog);
}

/** Runs admin SQL on the organization's database (or schema). */
function asAdmin<T>(org: Organization, sql: string): Promise<T> {
  const datasource = resolvePlacement(org, app.servers);
  return withPgClient(datasource.url, async (c) => {
    if (datasource.schema) await c.query(`SET search_path TO "${datasource.schema}"`);
    return (await c.query(sql)).rows as T;
  });
}

describe.each(["DATABASE", "SCHEMA", "SHARED"] as const)("%s tier", (tier) => {
  let org: Organization;
  let admin: Member;
  beforeAll(async () => {
    org = await app.provisionOrg(`audit-${tier.toLowerCase()}`, { tier });
    admin = await memberOf(app, org, "ADMIN");
  });

  it("records a write with the changed fields, versions, actor, request id and client address", async () => {
    const created = await requestVia(
      app,
      `mutation { createProject(input: { name: "Apollo", description: "moon" }) { id version } }`,
      { token: admin.token, headers: { "x-request-id": `req-create-${tier}` }, remoteAddress: "203.0.113.9" },
    );
    const project = dataOf(created).createProject;
    const updated = await requestVia(
      app,
      `mutation($id: ID!) { updateProject(input: { id: $id, version: 1, name: "Artemis", description: "moon" }) { version } }`,
      {
        token: admin.token,
        variables: { id: project.id },
        headers: { "x-request-id": `req-update-${tier}` },
        remoteAddress: "198.51.100.4",
      },
    );
    expect(dataOf(updated).updateProject.version).toBe(2);

    const [update, create] = await auditLog(admin.token, { targetId: project.id });
    expect(update).toMatchObject({
      action: "project.updated",
      actorId: admin.id,
      targetType: "project",
      targetId: project.id,
      // description was sent unchanged: only the name changed.
      changes: [{ field: "name", oldValue: '"Apollo"', newValue: '"Artemis"' }],
      versionBefore: 1,
      versionAfter: 2,
      requestId: `req-update-${tier}`,
      clientIp: "198.51.100.4",
      impersonator: null,
    });
    expect(create).toMatchObject({
      action: "project.created",
      versionBefore: null,
      versionAfter: 1,
      requestId: `req-create-${tier}`,
      clientIp: "203.0.113.9",
    });
    expect(create!.changes).toEqual(expect.arrayContaining([{ field: "name", oldValue: null, newValue: '"Apollo"' }]));
  });

  it("records item writes: create, update, assign, delete, restore, dependencies", async () => {
    const member = await memberOf(app, org, "MEMBER");
    const project = await newProject(app, admin.token, `items-${tier}`);
    const create = (title: string) =>
      app.graphql(`mutation($p: ID!, $t: String!) { createItem(input: { projectId: $p, title: $t }) { id version } }`, {
        token: member.token,
        variables: { p: project.id, t: title },
      });
    const a = dataOf(await create("a")).createItem;
    const b = dataOf(await create("b")).createItem;
    const write = (mutation: string, variables: Record<string, unknown>) =>
      app.graphql(mutation, { token: member.token, variables }).then(dataOf);
    await write(`mutation($id: ID!) { updateItem(input: { id: $id, version: 1, status: DONE }) { id } }`, { id: a.id });
    await write(`mutation($id: ID!, $u: ID) { assignItem(input: { id: $id, version: 2, assigneeId: $u }) { id } }`, {
      id: a.id,
      u: member.id,
    });
    await write(
      `mutation($id: ID!, $d: [ID!]!) { setItemDependencies(input: { id: $id, version: 3, dependsOnIds: $d }) { id } }`,
      {
        id: a.id,
        d: [b.id],
      },
    );
    await write(`mutation($id: ID!) { deleteItem(input: { id: $id, version: 4 }) { id } }`, { id: a.id });
    await write(`mutation($id: ID!) { restoreItem(input: { id: $id, version: 5 }) { id } }`, { id: a.id });
    const records = await auditLog(admin.token, { targetId: a.id });
    expect(records.map((r) => [r.action, r.versionBefore, r.versionAfter])).toEqual([
      ["item.restored", 5, 6],
      ["item.deleted", 4, 5],
      ["item.dependencies_set", 3, 4],
      ["item.assigned", 2, 3],
      ["item.updated", 1, 2],
      ["item.created", null, 1],
    ]);
    expect(records[2]!.changes).toEqual([{ field: "dependsOnIds", oldValue: "[]", newValue: JSON.stringify([b.id]) }]);
    expect(records[3]!.changes).toEqual([{ field: "assigneeId", oldValue: null, newValue: JSON.stringify(member.id) }]);
    expect(records[4]!.changes).toEqual([{ field: "status", oldValue: '"OPEN"', newValue: '"DONE"' }]);
    expect(records.every((r) => r.actorId === member.id)).toBe(true);
  });

  it("a failing write leaves no record", async () => {
    const project = await newProject(app, admin.token, `taken-${tier}`);
    const before = (await auditLog(admin.token, {}, 100)).length;
    const stale = await app.graphql(
      `mutation($id: ID!) { updateProject(input: { id: $id, version: 7, name: "never" }) { id } }`,
      { token: admin.token, variables: { id: project.id } },
    );
    expect(errorOf(stale).code).toBe("CONFLICT");
    const duplicate = await app.graphql(`mutation { createProject(input: { name: "taken-${tier}" }) { id } }`, {
      token: admin.token,
    });
    expect(errorOf(duplicate).code).toBe("BAD_USER_INPUT");
    expect((await auditLog(admin.token, {}, 100)).length).toBe(before);
  });

  it("a failing audit insert fails the write, which changes nothing", async () => {
    const project = await newProject(app, admin.token, `guarded-${tier}`);
    const fn = `refuse_audit_${tier.toLowerCase()}`;
    await asAdmin(
      org,
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
       CREATE TRIGGER ${fn} BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
    try {
      const refused = await app.graphql(
        `mutation($id: ID!) { updateProject(input: { id: $id, version: 1, name: "unrecorded" }) { id } }`,
        { token: admin.token, variables: { id: project.id } },
      );
      expect(errorOf(refused).code).toBe("INTERNAL_SERVER_ERROR");
      const created = await app.graphql(`mutation { createProject(input: { name: "unrecorded-${tier}" }) { id } }`, {
        token: admin.token,
      });
      expect(errorOf(created).code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await asAdmin(org, `DROP TRIGGER ${fn} ON audit_events; DROP FUNCTION ${fn}()`);
    }
    const now = dataOf(
      await app.graphql(`query($id: ID!) { project(id: $id) { name version } }`, {
        token: admin.token,
        variables: { id: project.id },
      }),
    ).project;
    expect(now).toEqual({ name: `guarded-${tier}`, version: 1 });
    const names = dataOf(
      await app.graphql(`{ projectsConnection(first: 100) { edges { node { name } } } }`, { token: admin.token }),
    );
    expect(nodes(names.projectsConnection).map((p: any) => p.name)).not.toContain(`unrecorded-${tier}`);
  });
});

describe("reading the audit log", () => {
  let org: Organization;
  let owner: Member;
  beforeAll(async () => {
    org = await app.provisionOrg("audit-read");
    owner = await memberOf(app, org, "OWNER");
    for (let i = 0; i < 5; i++) await newProject(app, owner.token, `p${i}`);
  });

  it("refuses viewers and members with FORBIDDEN; admins and owners read it", async () => {
    for (const role of ["VIEWER", "MEMBER"] as const) {
      const { token } = await memberOf(app, org, role);
      const r = await app.graphql(op("AuditLog"), { token, variables: { first: 5 } });
      expect(errorOf(r).code).toBe("FORBIDDEN");
      expect(r.data?.auditLog ?? null).toBeNull();
    }
    const admin = await memberOf(app, org, "ADMIN");
    expect((await auditLog(admin.token)).length).toBeGreaterThanOrEqual(5);
  });

  it("pages newest first with cursors and filters by actor, action, target and time", async () => {
    const first = dataOf(await app.graphql(op("AuditLog"), { token: owner.token, variables: { first: 2 } })).auditLog;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = dataOf(
      await app.graphql(op("AuditLog"), {
        token: owner.token,
        variables: { first: 100, after: first.pageInfo.endCursor },
      }),
    ).auditLog;
    const all = [...nodes(first), ...nodes(rest)];
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(all.length).toBe(first.totalCount);
    const times = all.map((r) => Date.parse(r.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    expect((await auditLog(owner.token, { actorId: owner.id })).length).toBe(5);
    expect((await auditLog(owner.token, { actorId: "00000000-0000-4000-8000-000000000000" })).length).toBe(0);
    expect((await auditLog(owner.token, { action: "project.created" })).length).toBe(5);
    expect((await auditLog(owner.token, { targetId: all[0]!.targetId })).length).toBe(1);
    expect((await auditLog(owner.token, { from: new Date(Date.now() + 60_000).toISOString() })).length).toBe(0);
    // The five projects and the organization's creation.
    expect((await auditLog(owner.token, { to: new Date(Date.now() + 60_000).toISOString() })).length).toBe(6);
  });
});
