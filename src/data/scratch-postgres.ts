// A throwaway embedded PostgreSQL in its own temp directory, for the test run, benchmarks and
// dev scripts: started on a free port, and stop() removes every trace of it.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomPassword, startEmbeddedPostgres } from "./embedded-postgres.ts";

export interface ScratchServer {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export async function startScratchPostgres(
  purpose: string,
  options: { maxConnections?: number } = {},
): Promise<ScratchServer> {
  // Under the temp dir with mode 755 (mkdtemp makes it 700): as root, the postgres system user
  // runs the server and must reach its data directory.
  const scratch = await mkdtemp(path.join(tmpdir(), `tenantgraph-${purpose}-`));
  const removeScratch = () => rm(scratch, { recursive: true, force: true });
  try {
    await chmod(scratch, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(scratch, "pg"),
      password: randomPassword(),
      ephemeral: true,
      maxConnections: options.maxConnections,
    });
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        await removeScratch();
      },
    };
  } catch (error) {
    await removeScratch();
    throw error;
  }
}
