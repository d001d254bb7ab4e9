// Finds the central database: DATABASE_URL when configured, else the embedded PostgreSQL
// in the data directory (started here, created on first use). Used by `npm start` and the
// operator commands, so both see the same data. The data directory has one owner at a time
// (data-dir-owner.ts): an operator command run while `npm start` is up uses that server's
// PostgreSQL; a second server is refused with a clear message; a PostgreSQL left running by
// a killed owner is stopped and started again by the next one.
import path from "node:path";
import type { Config } from "../config.ts";
import { loadLocalSecrets } from "../local-secrets.ts";
import { claimDataDir, type DataDirClaim, type OwnerKind, type OwnerRecord } from "./data-dir-owner.ts";
import type { EmbeddedServer } from "./embedded-postgres.ts";
import { loadMigrations, migrateDatabase } from "./migrator.ts";
import { databaseUrlOn } from "./placement.ts";
import { ensureDatabase, withPgClient } from "./server-admin.ts";

const CENTRAL_DATABASE = "tenantgraph";
/** How long to wait for an operator command (or a starting server) to give the directory up. */
const WAIT_FOR_OWNER_MS = 60_000;

export interface CentralDatabase {
  url: string;
  /** Set when this process started the embedded server; stop it on exit. */
  embedded?: EmbeddedServer;
}

export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

export async function openCentralDatabase(
  config: Config,
  say: (line: string) => void = () => {},
  kind: OwnerKind = "command",
): Promise<CentralDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const secrets = await loadLocalSecrets(config.dataDir);
  const dataDir = path.join(config.dataDir, "postgres");
  const claimed = await claimOrShare(config.dataDir, kind, say);
  if ("owner" in claimed) {
    const { pid, port } = claimed.owner;
    const serverUrl = `postgresql://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${port}/postgres`;
    say(`Using the embedded PostgreSQL of the running tenantgraph server (pid ${pid}, port ${port})`);
    await ensureDatabase(serverUrl, CENTRAL_DATABASE);
    return { url: databaseUrlOn(serverUrl, CENTRAL_DATABASE) };
  }
  const { claim } = claimed;
  try {
    // Loaded only here: commands given a DATABASE_URL (or sharing a running server's) start faster.
    const { startEmbeddedPostgres, stopLeftoverServer } = await import("./embedded-postgres.ts");
    await stopLeftoverServer(dataDir, say);
    say("Starting embedded PostgreSQL (no DATABASE_URL set)...");
    // Frequent checkpoints keep SIGTERM quick (little left to write at shutdown).
    const embedded = await startEmbeddedPostgres({
      dataDir,
      password: secrets.postgresPassword,
      checkpointTimeoutSeconds: 30,
    });
    try {
      await ensureDatabase(embedded.url, CENTRAL_DATABASE);
      await claim.setPort(embedded.port);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
    say(`PostgreSQL ${embedded.url.replace(/:[^:@/]*@/, ":***@")} (data in ${dataDir})`);
    return {
      url: databaseUrlOn(embedded.url, CENTRAL_DATABASE),
      embedded: {
        ...embedded,
        async stop() {
          await embedded.stop();
          await claim.release();
        },
      },
    };
  } catch (error) {
    await claim.release();
    throw error;
  }
}

/** This process's claim, or (for a command) a running server whose PostgreSQL it may use. */
async function claimOrShare(
  dataDir: string,
  kind: OwnerKind,
  say: (line: string) => void,
): Promise<{ claim: DataDirClaim } | { owner: OwnerRecord & { port: number } }> {
  const deadline = Date.now() + WAIT_FOR_OWNER_MS;
  let waiting = false;
  for (;;) {
    const result = await claimDataDir(dataDir, kind);
    if ("claim" in result) return result;
    const { owner } = result;
    if (kind === "command" && owner.kind === "server" && owner.port) return { owner: { ...owner, port: owner.port } };
    const what = owner.kind === "server" ? "a tenantgraph server" : "a tenantgraph command";
    if (kind === "server" && owner.kind === "server") {
      throw new DataDirInUseError(
        `${dataDir} is in use by ${what} (pid ${owner.pid}${owner.port ? `, PostgreSQL on port ${owner.port}` : ""}). ` +
          `Stop it first, or set DATA_DIR to another directory (or DATABASE_URL to a PostgreSQL server).`,
      );
    }
    if (Date.now() > deadline)
      throw new DataDirInUseError(
        `${dataDir} is still in use by ${what} (pid ${owner.pid}) after ${WAIT_FOR_OWNER_MS / 1000} s`,
      );
    if (!waiting) say(`Waiting for ${what} (pid ${owner.pid}) to finish with ${dataDir}...`);
    waiting = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Applies pending central migrations (each in its own transaction). */
export async function migrateCentral(centralUrl: string): Promise<string[]> {
  const migrations = await loadMigrations("central");
  return withPgClient(centralUrl, async (c) => (await migrateDatabase(c, migrations)).applied);
}
