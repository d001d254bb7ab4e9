// npm run migrate: central migrations, then tenant migrations for every READY organization.
// Exits non-zero when anything failed.
import { migrateCentral } from "../app.ts";
import { loadConfig, withMainServer } from "../config.ts";
import { createCentralClient } from "../data/central-client.ts";
import { openCentralDatabase } from "../data/central-database.ts";
import { migrateFleet } from "../lifecycle/migrate-fleet.ts";

const say = (line: string) => process.stdout.write(`${line}\n`);

async function run(): Promise<number> {
  const config = loadConfig();
  const database = await openCentralDatabase(config, say);
  const central = createCentralClient(database.url);
  try {
    const applied = await migrateCentral(database.url);
    say(applied.length ? `central: applied ${applied.join(", ")}` : "central: up to date");
    const results = await migrateFleet({
      central,
      servers: withMainServer(config, database.url),
      onOrg: (r, done, total) =>
        say(`[${done}/${total}] ${r.slug}: ${r.error ? `FAILED ${r.error}` : r.applied.length ? `applied ${r.applied.join(", ")}` : "up to date"}`),
    });
    const failed = results.filter((r) => r.error);
    say(`${results.length - failed.length} organizations migrated or current, ${failed.length} failed`);
    return failed.length ? 1 : 0;
  } finally {
    await central.$disconnect();
    await database.embedded?.stop();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
