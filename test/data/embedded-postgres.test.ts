// Run as root, the embedded PostgreSQL runs as the `postgres` system user, which must be
// able to enter every directory above its data directory. A data directory under a
// directory only root may enter (like a checkout in /root) is refused with a message that
// names the directory and the ways out, instead of initdb's "permission denied".
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { randomPassword, startEmbeddedPostgres } from "../../src/data/embedded-postgres.ts";

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe("embedded PostgreSQL data directory", () => {
  it(
    "explains a data directory the server's user cannot reach (root) or starts there (others)",
    { timeout: 60_000 },
    async () => {
      const locked = await mkdtemp(path.join(tmpdir(), "tenantgraph-locked-"));
      cleanup.push(locked);
      await chmod(locked, 0o700);
      const dataDir = path.join(locked, "project", ".tenantgraph", "postgres");
      if (process.getuid?.() === 0) {
        const error = (await startEmbeddedPostgres({ dataDir, password: randomPassword() }).then(
          (server) => server.stop(),
          (e: unknown) => e,
        )) as Error;
        expect(error).toBeInstanceOf(Error);
        expect(error.message).toContain(`cannot enter ${locked}`);
        expect(error.message).toMatch(/DATABASE_URL/);
      } else {
        // Not root: the server runs as us, and we can enter our own 700 directory.
        const server = await startEmbeddedPostgres({ dataDir, password: randomPassword() });
        await server.stop();
      }
    },
  );
});

describe("process exit status", () => {
  it("is not overridden by embedded-postgres's exit hook (a failing run must not report success)", () => {
    // async-exit-hook, installed by embedded-postgres, would end the process with 0 on beforeExit.
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "-e", 'await import("./src/data/embedded-postgres.ts"); process.exitCode = 3;'],
      {
        cwd: path.resolve(import.meta.dirname, "../.."),
        encoding: "utf8",
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(3);
  });
});
