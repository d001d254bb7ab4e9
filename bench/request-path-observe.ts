// --observe-cost of the request-path benchmark (issue 12: metrics and the audit log cost under
// 10 % of throughput). In the same interleaved rounds as the other servers, one tier's routed
// app with metrics on against the same app built with METRICS_ENABLED=false, on the read query
// and on a write mix (updateProject, audited). The audit record has no switch: it is written in
// the write's own transaction by design (src/braid/audited-write.ts), so the write mix runs
// audited on both sides and the audit's share is bounded by writes against reads instead.
import { runLoad, type LoadResult } from "./request-path-load.ts";
import type { Summary } from "./request-path-report.ts";
import { runWrites, writableProjects } from "./request-path-writes.ts";

export type Runner = (seconds: number) => Promise<LoadResult>;

export const OBSERVE_VARIANTS = ["read metrics on", "read metrics off", "write metrics on", "write metrics off"];

export async function observeRunners(
  ports: { routed: number; routedMetricsOff?: number },
  body: string,
  tokens: string[],
  connections: number,
): Promise<Record<string, Runner>> {
  const off = ports.routedMetricsOff!;
  const projects = await writableProjects(ports.routed, tokens);
  const [readOn, readOff] = [ports.routed, off].map((port) => ({ port, body, tokens }));
  return {
    "read metrics on": (seconds) => runLoad(readOn!, connections, seconds),
    "read metrics off": (seconds) => runLoad(readOff!, connections, seconds),
    "write metrics on": (seconds) => runWrites(ports.routed, projects, connections, seconds),
    "write metrics off": (seconds) => runWrites(off, projects, connections, seconds),
  };
}

const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : "-");

export function printObserveCost(tier: string, results: Record<string, Summary>): void {
  const row = (variant: string, baseline?: string) => {
    const s = results[variant];
    const base = baseline ? results[baseline] : undefined;
    if (!s) return undefined;
    return {
      variant: `${tier} ${variant}`,
      "req/s": Math.round(s.rps),
      "p50 ms": s.p50.toFixed(1),
      "p99 ms": s.p99.toFixed(1),
      "server CPU ms/req": s.cpu.toFixed(2),
      "req/s on/off": base ? x(s.rps / base.rps) : "-",
      "p99 on/off": base ? x(s.p99 / base.p99) : "-",
      "CPU on/off": base ? x(s.cpu / base.cpu) : "-",
    };
  };
  const rows = [
    row("read metrics off"),
    row("read metrics on", "read metrics off"),
    row("write metrics off"),
    row("write metrics on", "write metrics off"),
  ];
  console.table(rows.filter(Boolean));
  const [readOn, writeOn] = [results["read metrics on"], results["write metrics on"]];
  if (readOn && writeOn)
    console.log(
      `write (audited) / read, metrics on: req/s ${x(writeOn.rps / readOn.rps)}, ` +
        `server CPU ${x(writeOn.cpu / readOn.cpu)}`,
    );
  console.log("target (issue 12): metrics on/off req/s >= 0.90x; the audit record has no off switch (see README)");
}

/** The service-layer transaction with and without the audit INSERT (request-path-audit.ts). */
export function printAuditInsert(tier: string, results: Record<string, Summary>): void {
  const without = results["tx without audit insert"]!;
  console.table(
    Object.entries(results).map(([variant, s]) => ({
      variant: `${tier} ${variant}`,
      "tx/s": Math.round(s.rps),
      "p50 ms": s.p50.toFixed(1),
      "p99 ms": s.p99.toFixed(1),
      "tx/s with/without": x(s.rps / without.rps),
      "p99 with/without": x(s.p99 / without.p99),
    })),
  );
  console.log(
    "updateProject's transaction (4 writers, one organization): read, conditional UPDATE, audit INSERT or not",
  );
}
