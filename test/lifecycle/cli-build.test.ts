// The CLI as bin/tenantgraph.js runs it: from its build in dist/cli (bin/build-cli.js), made
// again when a source is newer than the build. The other CLI tests run the sources through tsx.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { currentCliBuild } from "../../bin/build-cli.js";
import { latestVersion, loadMigrations } from "../../src/data/migrator.ts";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases.ts";
import type { CliResult } from "../helpers/run-cli.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let central: ScratchDatabase | undefined;
afterAll(() => central?.drop());

function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/tenantgraph.js", ...args], { cwd: ROOT, env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the CLI's build", () => {
  it(
    "runs a command from the build, finding the migrations and the Prisma client from there",
    { timeout: 60_000 },
    async () => {
      central = await createScratchDatabase("cli_build");
      const env = { ...process.env, DATABASE_URL: central.url, APP_DB_PASSWORD: "cli-build" };
      const result = await runBin(["migrate", "status", "--json"], env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const status = JSON.parse(result.stdout) as { version: string; orgs: unknown[] };
      expect(status).toEqual({ version: latestVersion(await loadMigrations("tenant")), orgs: [] });
      // It ran from dist/cli, which is current now (not from the sources through tsx).
      const entry = currentCliBuild();
      expect(entry?.startsWith(path.join(ROOT, "dist", "cli"))).toBe(true);
      expect(existsSync(entry!)).toBe(true);
    },
  );

  it("counts a build stale when a source is newer than it or gone", async () => {
    const dist = await mkdtemp(path.join(tmpdir(), "tenantgraph-cli-build-"));
    const manifest = (startedAt: number, inputs: string[]) =>
      writeFile(path.join(dist, "manifest.json"), JSON.stringify({ dir: "b1", startedAt, inputs }));
    try {
      expect(currentCliBuild(dist)).toBeUndefined(); // no build yet
      await manifest(Date.now() + 3_600_000, ["src/cli/main.ts"]);
      expect(currentCliBuild(dist)).toBe(path.join(dist, "b1", "main.js"));
      await manifest(0, ["src/cli/main.ts"]); // main.ts changed after this build started
      expect(currentCliBuild(dist)).toBeUndefined();
      await manifest(Date.now() + 3_600_000, ["src/cli/main.ts", "src/cli/gone.ts"]);
      expect(currentCliBuild(dist)).toBeUndefined();
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });
});
