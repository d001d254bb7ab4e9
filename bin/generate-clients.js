#!/usr/bin/env node
// Generates the Prisma clients (npm run generate) quietly: its output is shown only when it
// fails. `npm ci` runs it (postinstall); bin/tenantgraph.js runs it when the clients are
// missing or older than a Prisma schema, so every command works on a fresh clone.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const mtime = (file) => {
  try {
    return statSync(new URL(file, root)).mtimeMs;
  } catch {
    return undefined;
  }
};

export function clientsAreStale() {
  return ["central", "tenant"].some((name) => {
    const generated = mtime(`src/data/generated/${name}/client.ts`);
    return generated === undefined || generated < (mtime(`prisma/${name}/schema.prisma`) ?? 0);
  });
}

/** Returns false (after printing why) when generation failed. */
export function generateClients() {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "generate", "--silent"], {
    cwd: fileURLToPath(root),
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (result.status === 0) return true;
  process.stderr.write(
    `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `${result.error.message}\n` : ""}tenantgraph: npm run generate failed (above)\n`,
  );
  return false;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!generateClients()) process.exit(1);
}
