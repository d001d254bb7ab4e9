// The SQL migrations are written separately from the Prisma schemas (by hand or with
// `npm run migration:new`); this proves they still agree. Prisma's schema engine compares a
// migrated database with schema.prisma the way `prisma migrate diff` does: tables, columns,
// types, nullability, defaults, enums, indexes, unique constraints and foreign keys.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { diffDatabaseAgainstSchema } from "../../scripts/schema-engine.ts";
import { loadMigrations, migrateDatabase, migrationsDir, type MigrationSet } from "../../src/data/migrator.ts";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases.ts";

const databases: ScratchDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

function readSchema(set: MigrationSet): Promise<string> {
  return readFile(path.join(path.dirname(migrationsDir(set)), "schema.prisma"), "utf8");
}

/** A scratch database with every migration of `set` applied, and a client on it. */
async function migratedDatabase(
  set: MigrationSet,
  work: (client: pg.Client, url: string) => Promise<void>,
): Promise<void> {
  const db = await createScratchDatabase(`drift_${set}`);
  databases.push(db);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const result = await migrateDatabase(client, await loadMigrations(set));
    expect(result.applied.length).toBeGreaterThan(0);
    await work(client, db.url);
  } finally {
    await client.end();
  }
}

describe.each(["central", "tenant"] as const)("%s migrations", (set) => {
  it("produce exactly the database schema.prisma describes", async () => {
    await migratedDatabase(set, async (_client, url) => {
      const missing = await diffDatabaseAgainstSchema(url, await readSchema(set));
      // On failure this prints the SQL that is missing from the migrations: `npm run migration:new`.
      expect(missing).toBe("");
    });
  });
});

describe("the drift check", () => {
  it("notices a dropped column, index and foreign key and a changed type or nullability", async () => {
    await migratedDatabase("tenant", async (client, url) => {
      await client.query(`
        ALTER TABLE "projects" DROP COLUMN "description";
        DROP INDEX "items_org_id_idx";
        ALTER TABLE "items" DROP CONSTRAINT "items_project_id_fkey";
        ALTER TABLE "items" ALTER COLUMN "title" TYPE VARCHAR(10);
        ALTER TABLE "items" ALTER COLUMN "deleted_at" SET NOT NULL;
      `);
      const missing = await diffDatabaseAgainstSchema(url, await readSchema("tenant"));
      expect(missing).toContain(`ALTER TABLE "projects" ADD COLUMN     "description" TEXT NOT NULL DEFAULT ''`);
      expect(missing).toContain(`CREATE INDEX "items_org_id_idx" ON "items"("org_id")`);
      expect(missing).toContain(`ADD CONSTRAINT "items_project_id_fkey" FOREIGN KEY ("project_id")`);
      expect(missing).toContain(`ALTER COLUMN "title" SET DATA TYPE TEXT`);
      expect(missing).toContain(`ALTER COLUMN "deleted_at" DROP NOT NULL`);
    });
  });

  it("notices what the schema lacks: an extra table or a changed enum", async () => {
    await migratedDatabase("central", async (client, url) => {
      await client.query(`
        CREATE TABLE "stray" ("id" INTEGER PRIMARY KEY);
        ALTER TYPE "Role" ADD VALUE 'GUEST';
      `);
      const missing = await diffDatabaseAgainstSchema(url, await readSchema("central"));
      expect(missing).toContain(`DROP TABLE "stray"`);
      expect(missing).toMatch(/-- AlterEnum[\s\S]*"Role"/);
    });
  });
});
