// What else the audit log records: membership and role changes and renames (committed with
// the change, or the change fails), log-ins and sign-ups (central), and the organization's
// life: created, exported (the file carries the records), imported (with its history),
// deleted (central). The central log is append-only too; operators prune both.
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { pruneAuditRecords, readOrgAudit } from "../../src/lifecycle/audit-records.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { exportOrganization, importOrganization } from "../../src/lifecycle/export-org.ts";
import { requestVia, startTestApp, type TestApp } from "../helpers/app.ts";
import { nodes } from "../helpers/connections.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { cliEnvOf, runCli } from "../helpers/run-cli.ts";

let app: TestApp;
let org: Organization;
let owner: Member;
const files: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("events", { tier: "SHARED" });
  owner = await memberOf(app, org, "OWNER");
});
afterAll(async () => {
  for (const file of files) await rm(file, { force: true });
  await app?.close();
});

const log = async (token: string, filter: Record<string, unknown> = {}) =>
  nodes(dataOf(await app.graphql(op("AuditLog"), { token, variables: { first: 100, filter } })).auditLog);

function asAdmin(target: Organization, sql: string) {
  const datasource = resolvePlacement(target, app.servers);
  return withPgClient(datasource.url, async (c) => {
    if (datasource.schema) await c.query(`SET search_path TO "${datasource.schema}"`);
    return (await c.query(sql)).rows;
  });
}

describe("membership, roles and the organization's name", () => {
  it("records each change with the old and new value", async () => {
    const user = await app.createUser();
    const added = await app.graphql(op("AddMember"), {
      token: owner.token,
      variables: { input: { email: user.email } },
    });
    dataOf(added);
    dataOf(
      await app.graphql(op("ChangeRole"), {
        token: owner.token,
        variables: { input: { userId: user.id, role: "ADMIN" } },
      }),
    );
    dataOf(await app.graphql(op("RemoveMember"), { token: owner.token, variables: { input: { userId: user.id } } }));
    dataOf(
      await app.graphql(op("UpdateOrganization"), { token: owner.token, variables: { input: { name: "Renamed" } } }),
    );
    const records = await log(owner.token);
    expect(records.slice(0, 4).map((r) => [r.action, r.targetId, r.changes])).toEqual([
      ["organization.renamed", org.id, [{ field: "name", oldValue: JSON.stringify(org.name), newValue: '"Renamed"' }]],
      ["member.removed", user.id, [{ field: "role", oldValue: '"ADMIN"', newValue: null }]],
      ["member.role_changed", user.id, [{ field: "role", oldValue: '"MEMBER"', newValue: '"ADMIN"' }]],
      ["member.added", user.id, [{ field: "role", oldValue: null, newValue: '"MEMBER"' }]],
    ]);
    expect(records.slice(0, 4).every((r) => r.actorId === owner.id)).toBe(true);
  });

  it("a role change whose record cannot be written does not happen", async () => {
    const viewer = await memberOf(app, org, "VIEWER");
    await asAdmin(org, `REVOKE INSERT ON audit_events FROM ${app.config.appRole.name}`);
    try {
      const r = await app.graphql(op("ChangeRole"), {
        token: owner.token,
        variables: { input: { userId: viewer.id, role: "MEMBER" } },
      });
      expect(errorOf(r).code).toBe("INTERNAL_SERVER_ERROR");
      const rename = await app.graphql(op("UpdateOrganization"), {
        token: owner.token,
        variables: { input: { name: "Unrecorded" } },
      });
      expect(errorOf(rename).code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await asAdmin(org, `GRANT INSERT ON audit_events TO ${app.config.appRole.name}`);
    }
    const membership = await app.central.membership.findUnique({
      where: { userId_orgId: { userId: viewer.id, orgId: org.id } },
    });
    expect(membership?.role).toBe("VIEWER");
    expect((await app.central.organization.findUnique({ where: { id: org.id } }))?.name).not.toBe("Unrecorded");
  });
});

describe("log-ins and sign-ups (central audit log)", () => {
  it("records sign-up, log-in success and failure with the request id and client address", async () => {
    const email = `${Math.random().toString(36).slice(2)}@audit.example`;
    const send = (document: any, input: object, requestId: string) =>
      requestVia(app, document, {
        variables: { input },
        headers: { "x-request-id": requestId },
        remoteAddress: "192.0.2.44",
      });
    dataOf(await send(op("SignUp"), { email, password: "correct horse battery" }, "req-signup"));
    expect(errorOf(await send(op("LogIn"), { email, password: "wrong password" }, "req-bad")).code).toBe(
      "UNAUTHENTICATED",
    );
    const session = dataOf(await send(op("LogIn"), { email, password: "correct horse battery" }, "req-good")).logIn;
    const events = await app.central.accountAuditEvent.findMany({ where: { email }, orderBy: { at: "asc" } });
    expect(events.map((e) => [e.action, e.userId, e.requestId, e.clientIp])).toEqual([
      ["user.sign_up_requested", null, "req-signup", "192.0.2.44"],
      ["login.failed", null, "req-bad", "192.0.2.44"],
      ["login.succeeded", session.user.id, "req-good", "192.0.2.44"],
    ]);
    expect(events[1]!.details).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("the application cannot update, delete or truncate the central log", async () => {
    for (const sql of [
      `UPDATE account_audit_events SET action = 'forged'`,
      `DELETE FROM account_audit_events`,
      `TRUNCATE account_audit_events`,
    ]) {
      await expect(app.central.$executeRawUnsafe(sql), sql).rejects.toThrow(/append-only/);
    }
  });
});

describe("the organization's life", () => {
  it("records creation (with the owner who asked) and export; the export carries the log into an import", async () => {
    const creator = await app.createUser();
    const session = dataOf(
      await app.graphql(op("CreateOrganization"), {
        token: await app.token(creator.id),
        variables: { input: { name: "Made by API", slug: app.slugFor("made") } },
      }),
    ).createOrganization;
    const made = (await app.central.organization.findUnique({ where: { slug: app.slugFor("made") } }))!;
    const [created] = await log(session.token);
    expect(created).toMatchObject({ action: "organization.created", actorId: creator.id, targetId: made.id });
    await newProject(app, session.token, "history");

    const file = path.join(os.tmpdir(), `audit-export-${made.id}.jsonl`);
    files.push(file);
    await exportOrganization(app, made.slug, file, "olga");
    const lines = (await readFile(file, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const exported = lines.filter((l) => l.type === "row" && l.table === "audit_events").map((l) => l.row.action);
    expect(exported.sort()).toEqual(["organization.created", "organization.exported", "project.created"]);

    const imported = await importOrganization(app.lifecycle, {
      file,
      slug: app.slugFor("copy"),
      tier: "SCHEMA",
      operator: "olga",
    });
    const copy = (await app.central.organization.findUnique({ where: { id: imported.orgId } }))!;
    const records = await readOrgAudit(copy, app.servers, { limit: 100 });
    expect(records.map((r) => r.action).sort()).toEqual([
      "organization.created",
      "organization.created",
      "organization.exported",
      "organization.imported",
      "project.created",
    ]);
    expect(records.find((r) => r.action === "organization.imported")).toMatchObject({ operator: "olga" });

    await deleteOrganization({ ...app, operator: "olga" }, copy.slug);
    await deleteOrganization({ ...app, operator: "olga" }, copy.slug);
    const deleted = await app.central.accountAuditEvent.findMany({ where: { orgId: copy.id } });
    expect(deleted.map((e) => [e.action, e.operator])).toEqual([["organization.deleted", "olga"]]);
  });

  it("operators read the log with `orgs audit` and prune old records", { timeout: 60_000 }, async () => {
    const r = await runCli(["orgs", "audit", org.slug, "--json"], cliEnvOf(app));
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ action: string }>;
    expect(rows.map((row) => row.action)).toEqual(expect.arrayContaining(["member.added", "organization.renamed"]));

    await asAdmin(
      org,
      `INSERT INTO audit_events (org_id, action, at) VALUES ('${org.id}', 'ancient', now() - interval '400 days')`,
    );
    // Appending is allowed, also with an old time (the trigger refuses only changes and deletions).
    await app.central.$executeRawUnsafe(
      `INSERT INTO account_audit_events (action, at) VALUES ('ancient', now() - interval '400 days')`,
    );
    const before = (await readOrgAudit(org, app.servers, { limit: 1000 })).length;
    const result = await pruneAuditRecords(app, 365);
    expect(result.organizations.find((o) => o.slug === org.slug)).toEqual({ slug: org.slug, removed: 1 });
    expect(result.central).toBe(1);
    expect((await readOrgAudit(org, app.servers, { limit: 1000 })).length).toBe(before - 1);
    expect(await app.central.accountAuditEvent.count({ where: { action: "ancient" } })).toBe(0);
  });
});
