// What the request-path benchmark prints: per server req/s, p50 and p99 over all rounds, and
// the ratios issue 10 sets targets for (routed tier / fixed context >= 0.95, each / raw >= 0.6,
// p99 / raw p99 <= 1.5); then cold vs warm first requests per tier (<= 1.5x).
import type { LoadResult } from "./request-path-load.ts";

export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU per request, ms. */
  cpu: number;
  /** Garbage-collection pauses of the server per request, ms. */
  gc: number;
}

export function summarize(runs: LoadResult[]): Summary {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const all = new Float64Array(requests);
  let at = 0;
  for (const run of runs) {
    all.set(run.latencies, at);
    at += run.latencies.length;
  }
  const cpu = runs.reduce((n, r) => n + (r.serverCpuMs ?? NaN), 0) / requests;
  const gc = runs.reduce((n, r) => n + (r.serverGcMs ?? NaN), 0) / requests;
  return { rps: requests / seconds, p50: percentile(all, 50), p99: percentile(all, 99), cpu, gc };
}

const ms = (value: number) => value.toFixed(1);
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : "-");

export function printThroughput(results: Record<string, Summary>): void {
  const raw = results.raw;
  const fixed = results.fixed;
  const rows = Object.entries(results).map(([name, s]) => ({
    server: name,
    "req/s": Math.round(s.rps),
    "p50 ms": ms(s.p50),
    "p99 ms": ms(s.p99),
    "/ raw": raw ? x(s.rps / raw.rps) : "-",
    "/ fixed": fixed && name !== "raw" ? x(s.rps / fixed.rps) : "-",
    "p99 / raw p99": raw ? x(s.p99 / raw.p99) : "-",
    "server CPU ms/req": s.cpu.toFixed(2),
    "CPU / raw": raw ? x(raw.cpu / s.cpu) : "-",
    "GC ms/req": s.gc.toFixed(2),
  }));
  console.table(rows);
  console.log("targets: each tier >= 0.95x fixed and >= 0.60x raw; p99 <= 1.50x raw p99");
  console.log("CPU / raw: the raw server's CPU per request over this one's (less disturbed by the machine's load)");
  console.log("GC ms/req: how long garbage collection paused the servers' process, per request of this server");
}

export function printColdWarm(results: Record<string, { cold: number[]; warm: number[] }>): void {
  const rows = Object.entries(results).map(([tier, { cold, warm }]) => ({
    tier,
    organizations: cold.length,
    "cold p50 ms": ms(percentile(cold, 50)),
    "warm p50 ms": ms(percentile(warm, 50)),
    "cold / warm": x(percentile(cold, 50) / percentile(warm, 50)),
    "cold max ms": ms(percentile(cold, 100)),
  }));
  console.table(rows);
  console.log("target: cold first request <= 1.50x a warm one (medians, one request at a time)");
}
