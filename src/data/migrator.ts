// Applies the SQL migrations in prisma/<set>/migrations/<timestamp>_<name>/migration.sql.
// Prisma 7's CLI cannot migrate on machines without its native engine, so this replaces
// `prisma migrate deploy` and keeps Prisma's bookkeeping table (_prisma_migrations, same
// columns, checksum = sha256 of the file) so `prisma migrate status` agrees with it.
//
// One transaction per migration: a migration that fails leaves the database exactly as it
// was before that migration, never half-applied.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { inTransaction } from "./server-admin.ts";
import { quoteIdentifier } from "./sql-identifiers.ts";

export type MigrationSet = "central" | "tenant";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  /** Name of the newest migration now applied (null when there are none). */
  version: string | null;
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "MigrationError";
  }
}

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function migrationsDir(set: MigrationSet): string {
  return path.join(PROJECT_ROOT, "prisma", set, "migrations");
}

const loaded = new Map<string, Promise<Migration[]>>();

/** Migrations of a set, oldest first. Read once per process: they do not change while it runs. */
export function loadMigrations(set: MigrationSet | string): Promise<Migration[]> {
  const dir = set === "central" || set === "tenant" ? migrationsDir(set) : set;
  let result = loaded.get(dir);
  if (!result) {
    result = readMigrations(dir);
    loaded.set(dir, result);
    result.catch(() => loaded.delete(dir));
  }
  return result;
}

async function readMigrations(dir: string): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/** Prisma's own definition of its bookkeeping table. */
const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// The same advisory lock key Prisma's migrate uses, so our migrator and Prisma's never run at once.
const MIGRATION_LOCK = 72707369;

export interface MigrateOptions {
  /** Apply inside this schema (SCHEMA tier) instead of the connection's default. */
  schema?: string;
  /** Called before each migration is applied. */
  onMigration?: (name: string) => void;
  /**
   * Runs after the migrations, still under the migration lock, in its own transaction
   * (e.g. row-level security for every table of a SHARED database). Runs even when nothing
   * was pending, so it must be idempotent.
   */
  finalize?: (client: pg.ClientBase) => Promise<void>;
}

/**
 * Applies every pending migration, each in its own transaction, under Prisma's advisory lock.
 * Rerunning is safe: applied migrations are skipped; an applied migration whose file changed
 * is an error (as in Prisma).
 */
export async function migrateDatabase(
  client: pg.ClientBase,
  migrations: Migration[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const searchPath = options.schema ? `SET LOCAL search_path TO ${quoteIdentifier(options.schema)}` : undefined;
  if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
  // Advisory locks are per database: schemas sharing one (SCHEMA tier) each get their own
  // key, so they migrate in parallel; the default schema keeps Prisma's key.
  const [lock, unlock] = options.schema
    ? ["SELECT pg_advisory_lock($1, hashtext($2))", "SELECT pg_advisory_unlock($1, hashtext($2))"]
    : ["SELECT pg_advisory_lock($1)", "SELECT pg_advisory_unlock($1)"];
  const lockArgs = options.schema ? [MIGRATION_LOCK, options.schema] : [MIGRATION_LOCK];
  await client.query(lock, lockArgs);
  try {
    await inTransactionOn(client, searchPath, () => client.query(BOOKKEEPING_TABLE));
    const applied = await appliedMigrations(client, searchPath);
    const result: MigrateResult = { applied: [], version: null };
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous !== undefined) {
        if (previous !== migration.checksum) {
          throw new MigrationError(migration.name, new Error("was modified after it was applied (checksum differs)"));
        }
        result.version = migration.name;
        continue;
      }
      options.onMigration?.(migration.name);
      try {
        await inTransactionOn(client, searchPath, async () => {
          // Server clock for both times (now() would be the transaction's start, before this).
          const { rows } = await client.query<{ t: Date }>("SELECT clock_timestamp() AS t");
          const startedAt = rows[0]!.t;
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
             VALUES ($1, $2, clock_timestamp(), $3, NULL, $4, 1)`,
            [randomUUID(), migration.checksum, migration.name, startedAt],
          );
        });
      } catch (error) {
        throw new MigrationError(migration.name, error);
      }
      result.applied.push(migration.name);
      result.version = migration.name;
    }
    const unknown = [...applied.keys()].filter((name) => !migrations.some((m) => m.name === name));
    if (unknown.length > 0) {
      throw new MigrationError(
        unknown[0]!,
        new Error("is applied to the database but missing from the migrations folder"),
      );
    }
    if (options.finalize) {
      const finalize = options.finalize;
      await inTransactionOn(client, searchPath, () => finalize(client));
    }
    return result;
  } finally {
    // On a broken connection the session (and its lock) is gone already; keep the real error.
    await client.query(unlock, lockArgs).catch(() => undefined);
  }
}

/** The version a database is at once every migration of the set is applied. */
export function latestVersion(migrations: Migration[]): string | null {
  return migrations.at(-1)?.name ?? null;
}

/** Whether a recorded version satisfies a required one (names sort by their timestamp). */
export function isAtLeast(version: string | null | undefined, required: string | null): boolean {
  if (required === null) return true;
  return version !== null && version !== undefined && version >= required;
}

/** Names of the migrations recorded as finished, with their checksums. */
async function appliedMigrations(client: pg.ClientBase, searchPath: string | undefined): Promise<Map<string, string>> {
  const rows = await inTransactionOn(client, searchPath, () =>
    client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ),
  );
  return new Map(rows.rows.map((r) => [r.migration_name, r.checksum]));
}

/** One transaction on the target's schema (search_path set inside it, so it ends with it). */
function inTransactionOn<T>(client: pg.ClientBase, searchPath: string | undefined, work: () => Promise<T>): Promise<T> {
  return inTransaction(client, async () => {
    if (searchPath) await client.query(searchPath);
    return work();
  });
}
