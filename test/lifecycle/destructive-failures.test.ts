// Destructive operator paths, each made to fail half-way: an import onto an existing slug
// (the organization that had it stays intact), an import with a bad line near the end or a
// provisioning step that throws (only what that run created is removed), a delete whose
// connection is killed mid-way, a fleet migration whose connection is killed on one target.
// Every time, the other organizations keep their rows, placement, memberships and state.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { loadMigrations } from "../../src/data/migrator.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { exportOrganization, importOrganization } from "../../src/lifecycle/export-org.ts";
import { migrateFleet } from "../../src/lifecycle/migrate-fleet.ts";
import { withOrgData } from "../../src/lifecycle/org-data.ts";
import { ProvisionInputError } from "../../src/lifecycle/provision.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
let dir: string;
beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), "tenantgraph-destructive-"));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function seed(org: Organization, userId: string, names = ["Apollo", "Gemini"]) {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    for (const name of names) {
      await lease.db.project.create({
        data: {
          orgId: org.id,
          name,
          createdById: userId,
          items: {
            create: [
              { orgId: org.id, title: `${name} one`, createdById: userId },
              { orgId: org.id, title: `${name} two`, createdById: userId },
            ],
          },
        },
      });
    }
  } finally {
    lease.release();
  }
}

/** Everything that must survive: rows, the central record (placement, state, tombstone), memberships, the database or schema. */
async function everything(org: Organization) {
  // updatedAt aside: a SHARED database's migration outcome is written to all its organizations (same values).
  const { updatedAt: _, ...record } = await app.central.organization.findUniqueOrThrow({ where: { id: org.id } });
  const memberships = await app.central.membership.findMany({
    where: { orgId: org.id },
    select: { userId: true, role: true },
    orderBy: { userId: "asc" },
  });
  const ds = resolvePlacement(org, app.servers);
  const exists =
    org.tier === "DATABASE"
      ? await withAdminClient(
          async (c) =>
            (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [org.databaseName])).rowCount === 1,
          app.servers[org.server],
        )
      : org.tier === "SCHEMA"
        ? await withPgClient(
            ds.url,
            async (c) => (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [ds.schema])).rowCount === 1,
          )
        : true;
  const rows =
    exists && record.state !== "DELETED"
      ? await withOrgData(org, app.servers, async (client, tables) => {
          const result: Record<string, unknown[]> = {};
          for (const table of tables) {
            const r = await client.query(
              `SELECT row_to_json(t)::jsonb AS row FROM ${client.escapeIdentifier(table)} t WHERE org_id = $1`,
              [org.id],
            );
            result[table] = r.rows.map((x) => x.row).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
          }
          return result;
        })
      : null;
  return { record, memberships, exists, rows };
}

async function routed(org: Organization, token: string): Promise<string> {
  const r = await app.graphql(`{ currentOrganization { id } projectsConnection(first: 100) { totalCount } }`, {
    token,
    orgId: org.id,
  });
  return r.errors?.[0]?.extensions?.code ?? `OK ${r.data.projectsConnection.totalCount} projects`;
}

async function exportOf(org: Organization): Promise<string> {
  const file = path.join(dir, `${org.slug}-${randomUUID()}.jsonl`);
  await exportOrganization(app.lifecycle, org.slug, file);
  return file;
}

describe.each(["DATABASE", "SCHEMA", "SHARED"] as const)("import onto an existing slug (%s tier)", (tier) => {
  it("is refused before anything is written; the existing organization keeps its rows, placement and members", async () => {
    const existing = await app.provisionOrg(`existing-${tier.toLowerCase()}`, { tier });
    const owner = await app.createUser([[existing, "OWNER"]]);
    await seed(existing, owner.id);
    const file = await exportOf(existing);
    const before = await everything(existing);
    expect(before.rows!.projects).toHaveLength(2);
    const token = await app.token(owner.id, existing.id);

    // The scenario of the issue: the organization's own export, imported back under its slug.
    for (const into of [tier, ...(["DATABASE", "SCHEMA", "SHARED"] as const).filter((t) => t !== tier)]) {
      const error = await importOrganization(app.lifecycle, { file, slug: existing.slug, tier: into }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProvisionInputError);
      expect((error as Error).message).toMatch(/slug.*taken/);
    }
    expect(await everything(existing)).toEqual(before);
    expect(await routed(existing, token)).toBe("OK 2 projects");
    expect(await app.central.organization.count({ where: { slug: existing.slug } })).toBe(1);
  });
});

describe("import onto a deleted organization's slug", () => {
  it("is refused and the tombstone stays", async () => {
    const gone = await app.provisionOrg("tombstoned", { tier: "SCHEMA" });
    const file = await exportOf(gone);
    await deleteOrganization(app.lifecycle, gone.slug);
    const before = await everything(gone);
    expect(before.record.state).toBe("DELETED");
    await expect(importOrganization(app.lifecycle, { file, slug: gone.slug })).rejects.toThrow(ProvisionInputError);
    expect(await everything(gone)).toEqual(before);
  });
});

describe.each(["DATABASE", "SCHEMA", "SHARED"] as const)("a failed import (%s tier)", (tier) => {
  it("removes only what that run created, whether a line near the end is bad or a provisioning step throws", async () => {
    // A neighbour in the same place (same SHARED database, same schema host database).
    const neighbour = await app.provisionOrg(`neighbour-${tier.toLowerCase()}`, { tier });
    const member = await app.createUser([[neighbour, "ADMIN"]]);
    await seed(neighbour, member.id);
    const source = await app.provisionOrg(`source-${tier.toLowerCase()}`, { tier });
    await seed(source, member.id, ["Mercury", "Vostok", "Soyuz"]);
    const good = await readFile(await exportOf(source), "utf8");
    const before = { neighbour: await everything(neighbour), source: await everything(source) };
    const usersBefore = await app.central.user.count();

    // A row near the end referring to a project that is not in the file: the last insert fails.
    const badRow = JSON.stringify({
      type: "row",
      table: "items",
      row: {
        id: randomUUID(),
        project_id: randomUUID(),
        title: "orphan",
        kind: "RISK",
        status: "OPEN",
        priority: "MEDIUM",
        created_by_id: member.id,
        updated_at: new Date().toISOString(),
      },
    });
    const lines = good.trim().split("\n");
    const badFile = path.join(dir, `bad-${randomUUID()}.jsonl`);
    await writeFile(
      badFile,
      [
        ...lines,
        badRow,
        JSON.stringify({ type: "membership", email: `${randomUUID()}@new.example`, name: "New", role: "MEMBER" }),
      ].join("\n"),
    );
    const slug = app.slugFor(`failed-import-${tier.toLowerCase()}`);
    await expect(importOrganization(app.lifecycle, { file: badFile, slug, tier })).rejects.toThrow();
    expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
    expect(await app.central.user.count()).toBe(usersBefore);

    // A provisioning step that throws (a crash just before READY): the new organization goes, nothing else.
    const goodFile = path.join(dir, `good-${randomUUID()}.jsonl`);
    await writeFile(goodFile, good);
    const crash = (step: string) => {
      if (step === "mark ready") throw new Error("simulated crash");
    };
    await expect(
      importOrganization({ ...app.lifecycle, beforeStep: crash }, { file: goodFile, slug, tier }),
    ).rejects.toThrow(/simulated crash/);
    expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
    if (tier === "DATABASE") {
      expect(
        await withAdminClient(
          async (c) =>
            (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [`org_${slug.replace(/-/g, "_")}`]))
              .rowCount,
        ),
      ).toBe(0);
    }

    expect(await everything(neighbour)).toEqual(before.neighbour);
    expect(await everything(source)).toEqual(before.source);
    if (tier === "SHARED") {
      // Into the database its source still lives in, the rows' ids clash: refused, nothing left.
      await expect(importOrganization(app.lifecycle, { file: goodFile, slug, tier })).rejects.toThrow(/duplicate key/);
      expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
      expect(await everything(source)).toEqual(before.source);
      return;
    }
    // And the same file then imports cleanly under that slug.
    const imported = await importOrganization(app.lifecycle, { file: goodFile, slug, tier });
    expect(imported.rows).toMatchObject({ projects: 3, items: 6 });
  });
});

describe("a delete whose connection is killed half-way (SHARED tier)", () => {
  it(
    "leaves the other organizations of that database untouched, and a rerun finishes",
    { timeout: 120_000 },
    async () => {
      const doomed = await app.provisionOrg("doomed-shared", { tier: "SHARED" });
      const neighbour = await app.provisionOrg("bystander-shared", { tier: "SHARED" });
      const user = await app.createUser([
        [doomed, "OWNER"],
        [neighbour, "OWNER"],
      ]);
      await seed(doomed, user.id);
      await seed(neighbour, user.id);
      const before = await everything(neighbour);
      const ds = resolvePlacement(doomed, app.servers);

      // Hold a lock on items so the delete stops inside its transaction, then kill its connection.
      const killed = await withPgClient(ds.url, async (holder) => {
        await holder.query("BEGIN");
        await holder.query("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        const deleting = deleteOrganization(app.lifecycle, doomed.slug).then(
          () => "finished",
          (e: Error) => e.message,
        );
        let victims = 0;
        for (let i = 0; i < 1800 && victims === 0; i++) {
          await new Promise((r) => setTimeout(r, 50)); // up to 90 s on a loaded machine
          // The holder is inside a transaction, where pg_stat_activity is read once and cached
          // (stats_fetch_consistency): without this, a delete slower than the first poll is never seen.
          await holder.query("SELECT pg_stat_clear_snapshot()");
          const r = await holder.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%'`,
          );
          victims = r.rowCount ?? 0;
        }
        await holder.query("ROLLBACK");
        expect(victims).toBe(1);
        return deleting;
      });
      expect(killed).toMatch(/terminat/i);

      const halfway = await everything(doomed);
      expect(halfway.record.state).toBe("DELETED"); // no longer routed
      expect(halfway.memberships).toEqual([]);
      expect(await everything(neighbour)).toEqual(before);

      await deleteOrganization(app.lifecycle, doomed.slug);
      const rest = await withPgClient(
        ds.url,
        async (c) =>
          (await c.query("SELECT count(*)::int AS n FROM projects WHERE org_id = $1", [doomed.id])).rows[0].n,
      );
      expect(rest).toBe(0);
      expect(await everything(neighbour)).toEqual(before);
      expect(await routed(neighbour, await app.token(user.id, neighbour.id))).toBe("OK 2 projects");
    },
  );
});

describe.each(["DATABASE", "SCHEMA"] as const)("a delete that fails after it stopped routing (%s tier)", (tier) => {
  it("leaves the other organizations untouched, and a rerun finishes", async () => {
    const doomed = await app.provisionOrg(`doomed-${tier.toLowerCase()}`, { tier });
    const neighbour = await app.provisionOrg(`bystander-${tier.toLowerCase()}`, { tier });
    const user = await app.createUser([
      [doomed, "OWNER"],
      [neighbour, "MEMBER"],
    ]);
    await seed(doomed, user.id);
    await seed(neighbour, user.id);
    const before = await everything(neighbour);
    const crash = (step: string) => {
      if (step === "remove data") throw new Error("simulated crash");
    };
    await expect(deleteOrganization({ ...app.lifecycle, onStep: crash }, doomed.slug)).rejects.toThrow(
      /simulated crash/,
    );
    expect((await everything(doomed)).record.state).toBe("DELETED");
    expect(await everything(neighbour)).toEqual(before);
    await deleteOrganization(app.lifecycle, doomed.slug);
    expect((await everything(doomed)).exists).toBe(false);
    expect(await everything(neighbour)).toEqual(before);
  });
});

describe("a fleet migration whose connection is killed on one target", () => {
  it("leaves that target's organizations as they were and migrates the others", async () => {
    const shared = await app.provisionOrg("migr-shared", { tier: "SHARED" });
    const other = await app.provisionOrg("migr-database", { tier: "DATABASE" });
    const user = await app.createUser([
      [shared, "OWNER"],
      [other, "OWNER"],
    ]);
    await seed(shared, user.id);
    await seed(other, user.id);
    const before = await everything(shared);
    const base = await loadMigrations("tenant");
    // Renames every project, then (in the SHARED database only) kills its own connection.
    const killer = {
      name: "29990101000000_rename_then_die",
      checksum: randomUUID(),
      sql: `UPDATE projects SET name = name || ' (renamed)';
            DO $$ BEGIN IF current_database() = '${shared.databaseName}' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; END $$;`,
    };
    const report = await migrateFleet(
      { ...app.lifecycle, migrations: [...base, killer] },
      { orgs: [shared.slug, other.slug] },
    );
    const outcome = Object.fromEntries(
      report.results.map((r) => [r.target.kind === "shared" ? "shared" : r.target.label, r.outcome]),
    );
    expect(outcome).toEqual({ shared: "failed", [other.slug]: "migrated" });

    const after = await everything(shared);
    expect(after.rows).toEqual(before.rows); // not renamed: the transaction never committed
    expect(after.record.schemaVersion).toBe(before.record.schemaVersion);
    expect(after.record.lastError).toMatch(/terminat/i);
    const renamed = (await everything(other)).rows!.projects as Array<{ name: string }>;
    expect(renamed.map((p) => p.name).sort()).toEqual(["Apollo (renamed)", "Gemini (renamed)"]);
  });
});
