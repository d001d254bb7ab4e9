// Our replacement for `prisma migrate deploy`: idempotent, Prisma's bookkeeping, one
// transaction per migration, and it refuses an applied migration whose file changed.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadMigrations, migrateDatabase, MigrationError, migrationsDir } from "../../src/data/migrator.ts";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases.ts";

const databases: ScratchDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

/** A client on a new, empty scratch database, closed (and the database dropped) after the test. */
async function withScratchClient(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const db = await createScratchDatabase("migrator");
  databases.push(db);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

// A migrations folder of our own, so tests can add broken or edited migrations.
let tempRoot: string;
beforeAll(async () => {
  tempRoot = await mkdtemp(path.join(tmpdir(), "tenantgraph-migrator-"));
});
afterAll(async () => {
  await rm(tempRoot, { recursive: true, force: true });
});

/** Writes `files` (folder name -> SQL) as a fresh migrations directory; loadMigrations caches per path. */
async function migrationsFolder(label: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tempRoot, label);
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name), { recursive: true });
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function tableExists(client: pg.Client, table: string): Promise<boolean> {
  const { rows } = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [`public.${table}`]);
  return rows[0].present;
}

describe("migrateDatabase", () => {
  it("applies every migration once; a second run applies nothing", async () => {
    await withScratchClient(async (client) => {
      const migrations = await loadMigrations("central");
      const names = migrations.map((m) => m.name);
      expect(names.length).toBeGreaterThan(0);

      const first = await migrateDatabase(client, migrations);
      expect(first).toEqual({ applied: names, version: names.at(-1) });

      const second = await migrateDatabase(client, migrations);
      expect(second).toEqual({ applied: [], version: names.at(-1) });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0].n).toBe(names.length);
    });
  });

  it("records migrations in _prisma_migrations exactly as Prisma does", async () => {
    await withScratchClient(async (client) => {
      await migrateDatabase(client, await loadMigrations("tenant"));

      const columns = await client.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
      expect(columns.rows.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
        ["id", "character varying", "NO"],
        ["checksum", "character varying", "NO"],
        ["finished_at", "timestamp with time zone", "YES"],
        ["migration_name", "character varying", "NO"],
        ["logs", "text", "YES"],
        ["rolled_back_at", "timestamp with time zone", "YES"],
        ["started_at", "timestamp with time zone", "NO"],
        ["applied_steps_count", "integer", "NO"],
      ]);

      const { rows } = await client.query(
        `SELECT migration_name, checksum, finished_at, started_at, rolled_back_at, logs, applied_steps_count
           FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      const dir = migrationsDir("tenant");
      const expected = await Promise.all(
        rows.map(async (row) =>
          createHash("sha256")
            .update(await readFile(path.join(dir, row.migration_name, "migration.sql")))
            .digest("hex"),
        ),
      );
      expect(rows.length).toBeGreaterThan(0);
      rows.forEach((row, i) => {
        // Prisma's checksum: sha256 (hex) of the migration.sql bytes.
        expect(row.checksum).toBe(expected[i]);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      });
    });
  });

  it("rolls a failing migration back completely and names it", async () => {
    const dir = await migrationsFolder("failing", {
      "20260101000000_first": `CREATE TABLE "first_table" ("id" INTEGER PRIMARY KEY);`,
      "20260102000000_broken": `CREATE TABLE "half_done" ("id" INTEGER PRIMARY KEY);\nSELECT * FROM "no_such_table";`,
    });
    await withScratchClient(async (client) => {
      const error = await migrateDatabase(client, await loadMigrations(dir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe("20260102000000_broken");
      expect((error as Error).message).toMatch(/20260102000000_broken.*no_such_table/);

      expect(await tableExists(client, "first_table")).toBe(true);
      // The good statement before the bad one left nothing behind, and no row claims the migration.
      expect(await tableExists(client, "half_done")).toBe(false);
      const { rows } = await client.query(`SELECT migration_name FROM "_prisma_migrations"`);
      expect(rows.map((r) => r.migration_name)).toEqual(["20260101000000_first"]);
    });
  });

  it("refuses an applied migration whose file changed", async () => {
    const original = `CREATE TABLE "edited" ("id" INTEGER PRIMARY KEY);`;
    const before = await migrationsFolder("before-edit", { "20260101000000_edited": original });
    const after = await migrationsFolder("after-edit", {
      "20260101000000_edited": `${original}\nALTER TABLE "edited" ADD COLUMN "sneaky" TEXT;`,
    });
    await withScratchClient(async (client) => {
      await migrateDatabase(client, await loadMigrations(before));
      const error = await migrateDatabase(client, await loadMigrations(after)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/20260101000000_edited.*checksum/);
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'edited' AND column_name = 'sneaky'`,
      );
      expect(rows[0].n).toBe(0);
    });
  });
});
