// How long SIGTERM takes, the real entrypoint on a fresh data directory: right after the
// first start (the demo organizations were just provisioned), after a restart (idle), and
// with an idle keep-alive connection open (a browser with GraphiQL). Options: --after-seconds N
// also stops a first start N seconds after it is up (the embedded server's checkpoints).
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

async function startAndStop(
  dataDir: string,
  options: { keepAlive?: boolean; waitMs?: number } = {},
): Promise<{ ms: number; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (/Then run:/.test(output)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
  });
  const url = new URL(/GraphiQL: (\S+)/.exec(output)![1]!);
  if (options.keepAlive) {
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve) =>
      request(url, { agent, headers: { accept: "text/html" } }, (res) => res.resume().on("end", resolve)).end(),
    );
  }
  if (options.waitMs) await new Promise((r) => setTimeout(r, options.waitMs));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const started = performance.now();
  child.kill("SIGTERM");
  const code = await exited;
  return { ms: Math.round(performance.now() - started), code };
}

export default async function shutdown(args: string[]): Promise<void> {
  const afterIndex = args.indexOf("--after-seconds");
  const afterSeconds = afterIndex >= 0 ? Number(args[afterIndex + 1]) : 0;
  const dirs: string[] = [];
  const fresh = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tenantgraph-bench-shutdown-"));
    await chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  try {
    const dir = await fresh();
    const rows: Array<[string, { ms: number; code: number | null }]> = [];
    rows.push(["first start (just provisioned the demo)", await startAndStop(dir)]);
    rows.push(["restart, idle", await startAndStop(dir)]);
    rows.push(["restart, idle keep-alive connection open", await startAndStop(dir, { keepAlive: true })]);
    if (afterSeconds > 0)
      rows.push([
        `first start, stopped ${afterSeconds} s after it was up`,
        await startAndStop(await fresh(), { waitMs: afterSeconds * 1000 }),
      ]);
    for (const [what, { ms, code }] of rows) console.log(`${what.padEnd(55)} SIGTERM -> exit ${code} in ${ms} ms`);
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}
