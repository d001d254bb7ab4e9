// Finds the central database: DATABASE_URL when configured, else the embedded PostgreSQL
// in the data directory (started here, created on first use). Used by `npm start` and the
// operator commands, so both see the same data.
import path from "node:path";
import type { Config } from "../config.ts";
import { loadLocalSecrets } from "../local-secrets.ts";
import { databaseUrlOn } from "./placement.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./embedded-postgres.ts";
import { loadMigrations, migrateDatabase } from "./migrator.ts";
import { ensureDatabase, withPgClient } from "./server-admin.ts";

const CENTRAL_DATABASE = "tenantgraph";

export interface CentralDatabase {
  url: string;
  /** Set when this process started the embedded server; stop it on exit. */
  embedded?: EmbeddedServer;
}

export async function openCentralDatabase(config: Config, say: (line: string) => void = () => {}): Promise<CentralDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const secrets = await loadLocalSecrets(config.dataDir);
  const dataDir = path.join(config.dataDir, "postgres");
  say("Starting embedded PostgreSQL (no DATABASE_URL set)...");
  const embedded = await startEmbeddedPostgres({ dataDir, password: secrets.postgresPassword });
  try {
    await ensureDatabase(embedded.url, CENTRAL_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  say(`PostgreSQL ${embedded.url.replace(/:[^:@/]*@/, ":***@")} (data in ${dataDir})`);
  return { url: databaseUrlOn(embedded.url, CENTRAL_DATABASE), embedded };
}

/** Applies pending central migrations (each in its own transaction). */
export async function migrateCentral(centralUrl: string): Promise<string[]> {
  const migrations = await loadMigrations("central");
  return withPgClient(centralUrl, async (c) => (await migrateDatabase(c, migrations)).applied);
}
