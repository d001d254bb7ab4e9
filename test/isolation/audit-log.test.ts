// The audit log attacked in every tier on both servers: the request role (raw SQL through
// the organization's own client, what ctx.db is) may append records and read its own, but
// never update, delete or truncate them; another organization's admin never sees them, not
// through the API and not with raw SQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import type { TenantDb } from "../../src/data/tenant-client.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { nodes } from "../helpers/connections.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { PLACEMENTS } from "../helpers/placements.ts";
import { dataOf } from "../helpers/results.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

/** Raw SQL on the organization's own client, as a resolver could send it. */
async function raw(org: Organization, sql: string): Promise<any[]> {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    return await (lease.db as TenantDb).$queryRawUnsafe(sql);
  } finally {
    lease.release();
  }
}

const DENIED = /permission denied/i;

describe.each(PLACEMENTS)("%s tier on server %s", (tier, server) => {
  let a: Organization;
  let b: Organization;
  let adminA: Member;
  let adminB: Member;
  beforeAll(async () => {
    a = await app.provisionOrg(`alog-a-${tier.toLowerCase()}-${server}`, { tier, server });
    b = await app.provisionOrg(`alog-b-${tier.toLowerCase()}-${server}`, { tier, server });
    adminA = await memberOf(app, a, "ADMIN");
    adminB = await memberOf(app, b, "ADMIN");
    await newProject(app, adminA.token, "a's project");
    await newProject(app, adminB.token, "b's secret project");
  });

  it("the request role appends and reads, but cannot update, delete or truncate", async () => {
    const before = await raw(a, `SELECT id, action, changes::text FROM audit_events ORDER BY id`);
    expect(before.length).toBeGreaterThan(0);
    await raw(a, `INSERT INTO audit_events (org_id, action) VALUES ('${a.id}', 'raw.append')`);
    for (const sql of [
      `UPDATE audit_events SET action = 'forged'`,
      `UPDATE audit_events SET changes = '[]' WHERE org_id = '${a.id}'`,
      `DELETE FROM audit_events`,
      `DELETE FROM audit_events WHERE org_id = '${a.id}'`,
      `TRUNCATE audit_events`,
    ]) {
      await expect(raw(a, sql), sql).rejects.toThrow(DENIED);
    }
    const after = await raw(a, `SELECT id, action, changes::text FROM audit_events ORDER BY id`);
    expect(after.filter((r) => r.action !== "raw.append")).toEqual(before);
    expect(after.filter((r) => r.action === "raw.append")).toHaveLength(1);
  });

  it("another organization's admin never sees the records", async () => {
    const seenByB = nodes(
      dataOf(await app.graphql(op("AuditLog"), { token: adminB.token, variables: { first: 100 } })).auditLog,
    );
    expect(seenByB.length).toBeGreaterThan(0);
    // B's own writes, and B's creation (by provisioning, no actor): nothing of A's.
    for (const r of seenByB)
      expect(r.actorId === adminB.id || (r.action === "organization.created" && r.targetId === b.id), r.action).toBe(
        true,
      );
    // B's admin naming A's organization is refused before any record is read.
    const named = await app.graphql(op("AuditLog"), { token: adminB.token, orgId: a.id, variables: { first: 100 } });
    expect(named.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // Filters cannot reach across: A's admin as actor, in B's log.
    const crossed = nodes(
      dataOf(
        await app.graphql(op("AuditLog"), {
          token: adminB.token,
          variables: { first: 100, filter: { actorId: adminA.id } },
        }),
      ).auditLog,
    );
    expect(crossed).toEqual([]);
    // Raw SQL as B's request role: no row of A's, however it asks.
    const rows = await raw(b, `SELECT org_id::text FROM audit_events`);
    expect(rows.every((r) => r.org_id === b.id)).toBe(true);
    if (tier === "SHARED") {
      await expect(raw(b, `INSERT INTO audit_events (org_id, action) VALUES ('${a.id}', 'planted')`)).rejects.toThrow(
        /row-level security/,
      );
    }
  });
});
