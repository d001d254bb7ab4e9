// The SHARED tier's guarantees, attacked below the GraphQL layer: row-level security on
// every organization table, the application role unable to escape it, no rows without
// app.org_id, and concurrent organizations interleaved over one small pool never seeing
// each other's rows even when a query forgets to filter by org_id.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { rowLevelSecurityState } from "../../src/lifecycle/shared-database.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { roleUrl } from "../../src/data/request-roles.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
const orgs: Organization[] = [];
let ownerId: string;
let appUrl: string;

beforeAll(async () => {
  app = await startTestApp({ env: { SHARED_POOL_SIZE: "2" } });
  for (const name of ["red", "green", "blue", "cyan", "magenta", "yellow"])
    orgs.push(await app.provisionOrg(name, { tier: "SHARED" }));
  ownerId = (await app.createUser(orgs.map((o) => [o, "OWNER"] as const))).id;
  for (const org of orgs) {
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    try {
      for (let i = 0; i < 3; i++) {
        await lease.db.project.create({
          data: {
            orgId: org.id,
            name: `${org.slug} p${i}`,
            createdById: ownerId,
            items: { create: [{ orgId: org.id, title: `${org.slug} item ${i}`, createdById: ownerId }] },
          },
        });
      }
    } finally {
      lease.release();
    }
  }
  appUrl = roleUrl(resolvePlacement(orgs[0]!, app.servers).url, app.config.appRole.name, app.config.appRole.password!);
});
afterAll(() => app?.close());

/** A raw connection as the application role: what a compromised or buggy request could do. */
function asAppRole<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  return withPgClient(appUrl, work);
}

describe("SHARED tier: row-level security", () => {
  it("forces row-level security with a policy on every organization table", async () => {
    const state = await withPgClient(resolvePlacement(orgs[0]!, app.servers).url, (c) => rowLevelSecurityState(c));
    expect(state.map((t) => t.table)).toEqual(expect.arrayContaining(["items", "projects"]));
    for (const table of state) expect(table).toMatchObject({ enabled: true, forced: true, policies: 1 });
  });

  it("connects as a role that is no superuser, cannot bypass RLS and owns nothing", async () => {
    const role = await asAppRole(async (c) => {
      const r = await c.query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
      const owned = await c.query(
        "SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
      );
      return { ...r.rows[0], owned: owned.rows[0].n };
    });
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
  });

  it("returns no rows without app.org_id, also on a connection that had it before", async () => {
    await asAppRole(async (c) => {
      expect((await c.query("SELECT count(*)::int AS n FROM projects")).rows[0].n).toBe(0);
      await c.query("BEGIN");
      await c.query("SELECT set_config('app.org_id', $1, true)", [orgs[0]!.id]);
      expect((await c.query("SELECT count(*)::int AS n FROM projects")).rows[0].n).toBe(3);
      await c.query("COMMIT");
      // The setting was transaction-local: it now reads back as '' and sees nothing.
      expect((await c.query("SELECT count(*)::int AS n FROM projects")).rows[0].n).toBe(0);
      expect((await c.query("SELECT count(*)::int AS n FROM items")).rows[0].n).toBe(0);
    });
  });

  it("cannot disable, skip or escape row-level security", async () => {
    await asAppRole(async (c) => {
      await expect(c.query("ALTER TABLE projects DISABLE ROW LEVEL SECURITY")).rejects.toThrow(/owner/);
      await expect(c.query("ALTER TABLE projects NO FORCE ROW LEVEL SECURITY")).rejects.toThrow(/owner/);
      await expect(c.query("DROP POLICY org_isolation ON projects")).rejects.toThrow(/owner/);
      await expect(c.query("SET ROLE postgres")).rejects.toThrow(/permission denied/);
      await c.query("SET row_security = off");
      await expect(c.query("SELECT * FROM projects")).rejects.toThrow(/row-level security/);
    });
  });

  it("refuses writes into another organization and changes nothing there", async () => {
    const [red, green] = orgs as [Organization, Organization];
    const greenProject = await withPgClient(
      resolvePlacement(green, app.servers).url,
      async (c) => (await c.query("SELECT id FROM projects WHERE org_id = $1 LIMIT 1", [green.id])).rows[0].id,
    );
    await asAppRole(async (c) => {
      await c.query("BEGIN");
      await c.query("SELECT set_config('app.org_id', $1, true)", [red.id]);
      expect((await c.query("UPDATE projects SET name = 'pwned' WHERE id = $1", [greenProject])).rowCount).toBe(0);
      expect((await c.query("DELETE FROM projects WHERE org_id = $1", [green.id])).rowCount).toBe(0);
      expect(
        (await c
          .query("UPDATE projects SET org_id = $1 WHERE org_id = $2", [green.id, red.id])
          .catch((e: Error) => e)) instanceof Error,
      ).toBe(true);
      await c.query("ROLLBACK");
      await c.query("BEGIN");
      await c.query("SELECT set_config('app.org_id', $1, true)", [red.id]);
      await expect(
        c.query(
          "INSERT INTO projects (id, org_id, name, created_by_id, updated_at) VALUES (gen_random_uuid(), $1, 'planted', $2, now())",
          [green.id, ownerId],
        ),
      ).rejects.toThrow(/row-level security/);
      await c.query("ROLLBACK");
    });
    const greenRows = await withPgClient(resolvePlacement(green, app.servers).url, async (c) =>
      (await c.query("SELECT name FROM projects WHERE org_id = $1 ORDER BY name", [green.id])).rows.map((r) => r.name),
    );
    expect(greenRows).toEqual([`${green.slug} p0`, `${green.slug} p1`, `${green.slug} p2`]);
  });

  it("keeps interleaved concurrent organizations apart on a pool of 2, even for queries that forget org_id", async () => {
    const leases = await Promise.all(orgs.map((org) => app.orgClients.acquire(resolvePlacement(org, app.servers))));
    try {
      // 120 queries from 6 organizations over 2 connections; none filters by org_id, so only RLS separates them.
      const runs = Array.from({ length: 120 }, async (_, i) => {
        const k = i % orgs.length;
        const [projects, items] = await Promise.all([
          leases[k]!.db.project.findMany({ select: { orgId: true } }),
          leases[k]!.db.item.count(),
        ]);
        return { k, orgIds: new Set(projects.map((p) => p.orgId)), projects: projects.length, items };
      });
      for (const r of await Promise.all(runs)) {
        expect([...r.orgIds]).toEqual([orgs[r.k]!.id]);
        expect(r.projects).toBe(3);
        expect(r.items).toBe(3);
      }
    } finally {
      for (const lease of leases) lease.release();
    }
  });

  it("scopes interactive transactions too", async () => {
    const lease = await app.orgClients.acquire(resolvePlacement(orgs[1]!, app.servers));
    try {
      const seen = await lease.db.$transaction(async (tx) => {
        await tx.project.create({ data: { orgId: orgs[1]!.id, name: "in a transaction", createdById: ownerId } });
        return tx.project.findMany({ select: { orgId: true } });
      });
      expect(new Set(seen.map((p) => p.orgId))).toEqual(new Set([orgs[1]!.id]));
      expect(seen).toHaveLength(4);
      // Writing another organization's id inside the transaction fails and rolls it back.
      await expect(
        lease.db.$transaction(async (tx) => {
          await tx.project.create({ data: { orgId: orgs[1]!.id, name: "rolled back", createdById: ownerId } });
          await tx.project.create({ data: { orgId: orgs[2]!.id, name: "smuggled", createdById: ownerId } });
        }),
      ).rejects.toThrow();
      expect(await lease.db.project.count({ where: { name: { in: ["rolled back", "smuggled"] } } })).toBe(0);
    } finally {
      lease.release();
    }
  });
});
