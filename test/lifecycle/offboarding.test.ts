// Offboarding: export -> delete -> import gives identical rows (every organization table,
// every column but org_id), and memberships by email. Delete stops routing at once, removes
// the data of that organization only, and keeps a tombstone. A bad import file leaves nothing.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { exportOrganization, ImportFileError, importOrganization } from "../../src/lifecycle/export-org.ts";
import { withOrgData } from "../../src/lifecycle/org-data.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), "tenantgraph-export-"));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function seed(org: Organization, userId: string) {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    for (const name of ["Apollo", "Gemini"]) {
      await lease.db.project.create({
        data: {
          orgId: org.id,
          name: `${name} ${org.slug}`,
          description: 'ünïcødé "quoted" \n newline',
          createdById: userId,
          items: {
            create: [
              { orgId: org.id, title: "first", createdById: userId },
              { orgId: org.id, title: "second", createdById: userId },
            ],
          },
        },
      });
    }
  } finally {
    lease.release();
  }
}

/** Every row of every organization table, without org_id, sorted: what must survive the round trip. */
async function snapshot(org: Organization): Promise<Record<string, unknown[]>> {
  return withOrgData(org, app.servers, async (client, tables) => {
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      const rows = await client.query(
        `SELECT row_to_json(t)::jsonb - 'org_id' AS row FROM ${client.escapeIdentifier(table)} t WHERE org_id = $1`,
        [org.id],
      );
      result[table] = rows.rows.map((r) => r.row).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return result;
  });
}

async function dataGone(org: Organization): Promise<boolean> {
  const ds = resolvePlacement(org, app.servers);
  if (org.tier === "DATABASE")
    return withAdminClient(
      async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [org.databaseName])).rowCount === 0,
    );
  if (org.tier === "SCHEMA")
    return withPgClient(
      ds.url,
      async (c) => (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [ds.schema])).rowCount === 0,
    );
  return withPgClient(
    ds.url,
    async (c) =>
      (
        await c.query("SELECT 1 FROM items WHERE org_id = $1 UNION ALL SELECT 1 FROM projects WHERE org_id = $1", [
          org.id,
        ])
      ).rowCount === 0,
  );
}

describe.each(["DATABASE", "SCHEMA", "SHARED"] as const)("export, delete, import (%s tier)", (tier) => {
  it("round-trips every row and membership, and deletes only this organization", async () => {
    const org = await app.provisionOrg(`leaving-${tier.toLowerCase()}`, { tier });
    const neighbour = await app.provisionOrg(`staying-${tier.toLowerCase()}`, { tier });
    const owner = await app.createUser([[org, "OWNER"]]);
    const viewer = await app.createUser([
      [org, "VIEWER"],
      [neighbour, "MEMBER"],
    ]);
    await seed(org, owner.id);
    await seed(neighbour, viewer.id);
    const before = await snapshot(org);
    const neighbourBefore = await snapshot(neighbour);
    expect(before.projects).toHaveLength(2);
    expect(before.items).toHaveLength(4);

    const file = path.join(dir, `${org.slug}.jsonl`);
    const summary = await exportOrganization(app.lifecycle, org.slug, file);
    expect(summary).toMatchObject({ memberships: 2, rows: { projects: 2, items: 4 } });
    const lines = (await readFile(file, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: "organization", slug: org.slug, format: 1 });

    const token = await app.token(owner.id, org.id);
    await deleteOrganization({ ...app.lifecycle, evict: (key) => app.orgClients.evict(key) }, org.slug);
    expect((await app.graphql(`{ currentOrganization { id } }`, { token })).errors?.[0]?.extensions?.code).toBe(
      "UNAUTHENTICATED",
    );
    const tombstone = await app.central.organization.findUniqueOrThrow({ where: { id: org.id } });
    expect(tombstone).toMatchObject({ state: "DELETED", slug: org.slug });
    expect(await app.central.membership.count({ where: { orgId: org.id } })).toBe(0);
    expect(await dataGone(org)).toBe(true);
    expect(await snapshot(neighbour)).toEqual(neighbourBefore);
    // Deleting again is harmless.
    await deleteOrganization(app.lifecycle, org.slug);

    const imported = await importOrganization(app.lifecycle, {
      file,
      slug: app.slugFor(`back-${tier.toLowerCase()}`),
      tier,
    });
    const back = await app.central.organization.findUniqueOrThrow({ where: { id: imported.orgId } });
    expect(back.state).toBe("READY");
    // Every row comes back; the audit log also gained the export, the new organization's
    // creation and the import (src/lifecycle/export-org.ts).
    const { audit_events: history, ...after } = await snapshot(back);
    const { audit_events: historyBefore, ...rowsBefore } = before;
    expect(after).toEqual(rowsBefore);
    expect(history).toEqual(expect.arrayContaining(historyBefore!));
    expect(
      history!
        .filter((r) => !historyBefore!.some((b) => JSON.stringify(b) === JSON.stringify(r)))
        .map((r: any) => r.action)
        .sort(),
    ).toEqual(["organization.created", "organization.exported", "organization.imported"]);
    const roles = await app.central.membership.findMany({
      where: { orgId: back.id },
      select: { userId: true, role: true },
    });
    expect(roles.sort((a, b) => a.role.localeCompare(b.role))).toEqual([
      { userId: owner.id, role: "OWNER" },
      { userId: viewer.id, role: "VIEWER" },
    ]);
    const r = await app.graphql(`{ currentOrganization { id } }`, { token: await app.token(owner.id, back.id) });
    expect(r.data).toEqual({ currentOrganization: { id: back.id } });
  });
});

describe("import of a bad file", () => {
  it.each([
    ["not JSON", "{oops\n"],
    ["no header", `${JSON.stringify({ type: "row", table: "projects", row: {} })}\n`],
    [
      "unknown table",
      `${JSON.stringify({ type: "organization", format: 1, slug: "x", name: "X", tier: "DATABASE", schemaVersion: null, exportedAt: "" })}\n${JSON.stringify({ type: "row", table: "pg_authid", row: { rolname: "evil" } })}\n`,
    ],
    [
      "a row of the wrong shape",
      `${JSON.stringify({ type: "organization", format: 1, slug: "x", name: "X", tier: "DATABASE", schemaVersion: null, exportedAt: "" })}\n${JSON.stringify({ type: "row", table: "projects", row: { id: "not-a-uuid" } })}\n`,
    ],
  ])("refuses %s and leaves nothing behind", async (_what, content) => {
    const file = path.join(dir, `bad-${Math.random()}.jsonl`);
    await writeFile(file, content);
    const slug = app.slugFor(`bad-${Math.floor(Math.random() * 1e6)}`);
    const error = await importOrganization(app.lifecycle, { file, slug }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    if (_what !== "a row of the wrong shape") expect(error).toBeInstanceOf(ImportFileError);
    expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
    expect(
      await withAdminClient(
        async (c) =>
          (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [`org_${slug.replace(/-/g, "_")}`])).rowCount,
      ),
    ).toBe(0);
  });
});
