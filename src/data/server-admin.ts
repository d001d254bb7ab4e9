// Short-lived administrative connections to a PostgreSQL server: creating and dropping
// organization databases, running migrations. Names pass through quoteIdentifier.
import pg from "pg";
import { quoteIdentifier } from "./sql-identifiers.ts";

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A connection killed mid-way (server restart, pg_terminate_backend) fails the query in
  // flight; without a listener its "error" event would also crash the whole process.
  client.on("error", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` between BEGIN and COMMIT; any failure rolls the whole of it back. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  return withPgClient(
    serverUrl,
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1,
  );
}

/** Creates the database unless it exists; returns whether it was created. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<boolean> {
  return withPgClient(serverUrl, async (c) => {
    if ((await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1) return false;
    return createDatabaseOn(c, name);
  });
}

/**
 * CREATE DATABASE on an administrative connection, as a copy of `template` (template1 when
 * absent); false when another process created it first. A template with a session on it
 * cannot be copied ("source database is being accessed by other users", after PostgreSQL
 * waited 5 s for it): its builder's connection may still have been closing, so it is retried.
 */
export async function createDatabaseOn(client: pg.ClientBase, name: string, template?: string): Promise<boolean> {
  // No STRATEGY: WAL_LOG, PostgreSQL's default since 15, copies a small database faster here
  // than FILE_COPY, whose two checkpoints also stall every other database on the server.
  const sql = `CREATE DATABASE ${quoteIdentifier(name)}${template ? ` TEMPLATE ${quoteIdentifier(template)}` : ""}`;
  try {
    await retryWhileInUse(() => client.query(sql));
    return true;
  } catch (error) {
    // Another process created it between our check and our CREATE: that is fine
    // (42P04 duplicate_database, or 23505 when both CREATEs raced on the catalog).
    const code = (error as { code?: string }).code;
    if (code === "42P04" || code === "23505") return false;
    throw error;
  }
}

/** Tries of a statement refused because another session is on its database (55006 object_in_use). */
const IN_USE_ATTEMPTS = 3;

/**
 * Runs `statement` again, up to IN_USE_ATTEMPTS times with a growing pause, while PostgreSQL
 * refuses it because another session is on its database (55006 object_in_use): a connection
 * that just finished may still be closing.
 */
export async function retryWhileInUse<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: string }).code !== "55006" || attempt >= IN_USE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Drops the database, disconnecting its sessions first. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const quoted = quoteIdentifier(name);
  await withPgClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`));
}
