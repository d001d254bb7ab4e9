// `npm start` on a port something else holds: the real entrypoint fails at once, with one
// clear line and a non-zero exit, before it starts PostgreSQL or writes anything (no data
// directory, no secrets, no demo organizations).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
let scratch: string | undefined;
let holder: Server | undefined;

afterAll(async () => {
  holder?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("npm start on a busy port", () => {
  it("fails fast with a clear message and a non-zero exit, and provisions nothing", { timeout: 60_000 }, async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder!.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-busy-"));
    const dataDir = path.join(scratch, "data"); // does not exist: starting would create it
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));

    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr.trim()).toBe(
      `tenantgraph failed to start: port ${port} on 127.0.0.1 is in use: stop what uses it or set PORT to a free port`,
    );
    expect(stdout).toBe(""); // no PostgreSQL start, no migrations, no demo steps
    expect(existsSync(dataDir)).toBe(false);
  });
});
