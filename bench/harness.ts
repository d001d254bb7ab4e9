// A throwaway server for benchmarks: embedded PostgreSQL in a temp directory (or
// BENCH_DATABASE_URL), a fresh central database, stopped at the end whatever happens.
import { startScratchPostgres } from "../src/data/scratch-postgres.ts";
import { dropDatabase, ensureDatabase } from "../src/data/server-admin.ts";
import { databaseUrlOn } from "../src/data/placement.ts";

export async function withBenchServer<T>(
  work: (serverUrl: string, centralUrl: string) => Promise<T>,
  options: { maxConnections?: number } = {},
): Promise<T> {
  const external = process.env.BENCH_DATABASE_URL;
  const server = external ? undefined : await startScratchPostgres("bench", options);
  const serverUrl = external ?? server!.url;
  const central = `bench_central_${process.pid}`;
  await ensureDatabase(serverUrl, central);
  try {
    return await work(serverUrl, databaseUrlOn(serverUrl, central));
  } finally {
    await dropDatabase(serverUrl, central).catch(() => undefined);
    await server?.stop();
  }
}

/** Runs `fn` for `iterations` with `concurrency` in flight; returns operations per second. */
export async function throughput(
  iterations: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
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
