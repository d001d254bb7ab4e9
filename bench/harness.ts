// A throwaway server for benchmarks: embedded PostgreSQL in a temp directory (or
// BENCH_DATABASE_URL), a fresh central database, stopped at the end whatever happens.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomPassword, startEmbeddedPostgres } from "../src/data/embedded-postgres.ts";
import { dropDatabase, ensureDatabase } from "../src/data/server-admin.ts";
import { databaseUrlOn } from "../src/data/placement.ts";

export async function withBenchServer<T>(work: (serverUrl: string, centralUrl: string) => Promise<T>): Promise<T> {
  const external = process.env.BENCH_DATABASE_URL;
  const scratch = external ? undefined : await mkdtemp(path.join(tmpdir(), "tenantgraph-bench-"));
  if (scratch) await chmod(scratch, 0o755);
  const server = scratch ? await startEmbeddedPostgres({ dataDir: path.join(scratch, "pg"), password: randomPassword() }) : undefined;
  const serverUrl = external ?? server!.url;
  const central = `bench_central_${process.pid}`;
  await ensureDatabase(serverUrl, central);
  try {
    return await work(serverUrl, databaseUrlOn(serverUrl, central));
  } finally {
    await dropDatabase(serverUrl, central).catch(() => undefined);
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs `fn` for `iterations` with `concurrency` in flight; returns operations per second. */
export async function throughput(iterations: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < iterations) await fn(next++);
    }),
  );
  return iterations / ((performance.now() - started) / 1000);
}

export function table(rows: Array<Record<string, string | number>>): void {
  console.table(rows);
}
