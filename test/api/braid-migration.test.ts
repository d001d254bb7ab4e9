// The BRAID migration on an organization that already has data: projects that share a live
// name (allowed before) are renamed, all but the oldest, so the partial unique index can be
// built. And the drift check sees that index's WHERE clause: a plain unique index in its
// place would be drift, not a match.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { diffDatabaseAgainstSchema } from "../../scripts/schema-engine.ts";
import { loadMigrations, migrateDatabase } from "../../src/data/migrator.ts";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases.ts";

const databases: ScratchDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function withTenantDatabase(
  work: (client: pg.Client, url: string, migrations: Awaited<ReturnType<typeof loadMigrations>>) => Promise<void>,
) {
  const db = await createScratchDatabase("braid_migration");
  databases.push(db);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await work(client, db.url, await loadMigrations("tenant"));
  } finally {
    await client.end();
  }
}

describe("the BRAID migration", () => {
  it("renames all but the oldest of projects sharing a live name, then enforces uniqueness", async () => {
    await withTenantDatabase(async (client, _url, migrations) => {
      const braid = migrations.findIndex((m) => m.name.endsWith("_braid"));
      expect(braid).toBeGreaterThan(0);
      await migrateDatabase(client, migrations.slice(0, braid));
      const org = crypto.randomUUID();
      const other = crypto.randomUUID();
      const user = crypto.randomUUID();
      const insert = (id: string, orgId: string, name: string, createdAt: string, deletedAt: string | null = null) =>
        client.query(
          `INSERT INTO projects (id, org_id, name, created_by_id, created_at, updated_at, deleted_at) VALUES ($1, $2, $3, $4, $5, now(), $6)`,
          [id, orgId, name, user, createdAt, deletedAt],
        );
      const ids = {
        oldest: crypto.randomUUID(),
        newer: crypto.randomUUID(),
        deleted: crypto.randomUUID(),
        otherOrg: crypto.randomUUID(),
      };
      await insert(ids.newer, org, "Plan", "2026-01-02T00:00:00Z");
      await insert(ids.oldest, org, "Plan", "2026-01-01T00:00:00Z");
      await insert(ids.deleted, org, "Plan", "2025-12-01T00:00:00Z", "2026-01-03T00:00:00Z");
      await insert(ids.otherOrg, other, "Plan", "2026-01-05T00:00:00Z");
      await migrateDatabase(client, migrations);
      const names = Object.fromEntries(
        (await client.query(`SELECT id, name FROM projects`)).rows.map((r) => [r.id, r.name]),
      );
      expect(names).toEqual({
        [ids.oldest]: "Plan",
        [ids.newer]: `Plan (${ids.newer})`,
        [ids.deleted]: "Plan",
        [ids.otherOrg]: "Plan",
      });
      await expect(insert(crypto.randomUUID(), org, "Plan", "2026-02-01T00:00:00Z")).rejects.toMatchObject({
        code: "23505",
      });
    });
  });

  it("is drift when the unique index loses its WHERE deleted_at IS NULL", async () => {
    await withTenantDatabase(async (client, url, migrations) => {
      await migrateDatabase(client, migrations);
      await client.query(
        `DROP INDEX "projects_live_name_key"; CREATE UNIQUE INDEX "projects_live_name_key" ON "projects"("org_id", "name")`,
      );
      const missing = await diffDatabaseAgainstSchema(
        url,
        await readFile(path.resolve(import.meta.dirname, "../../prisma/tenant/schema.prisma"), "utf8"),
      );
      expect(missing).toContain(
        `CREATE UNIQUE INDEX "projects_live_name_key" ON "projects"("org_id", "name") WHERE (deleted_at IS NULL)`,
      );
    });
  });
});
