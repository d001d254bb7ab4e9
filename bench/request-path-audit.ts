// The audit insert by itself (--observe-cost): the audit record has no off switch (it is
// written in the write's own transaction by design), so the request-path benchmark cannot
// serve writes without it. Here the service layer's updateProject transaction (read the row,
// conditional UPDATE, audit INSERT: auditedChange) runs against the same transaction without
// the INSERT, on one organization's client, in interleaved rounds; the ratio is the audit's cost.
import pino from "pino";
import { createApp } from "../src/app.ts";
import { auditedChange } from "../src/braid/audited-write.ts";
import type { OrgScope } from "../src/braid/org-scope.ts";
import { changeVersioned } from "../src/braid/versioned-write.ts";
import type { Config } from "../src/config.ts";
import { resolvePlacement } from "../src/data/placement.ts";
import { summarize, type Summary } from "./request-path-report.ts";
import type { LoadResult } from "./request-path-load.ts";

type Project = { id: string; version: number };
type Write = (scope: OrgScope, project: Project, n: number) => Promise<void>;

const WRITES: Record<string, Write> = {
  "tx with audit insert": (scope, p, n) =>
    auditedChange(scope, "project.updated", { what: "project", ...p, data: { description: `tx ${n}` } }),
  "tx without audit insert": (scope, p, n) =>
    scope.db.$transaction(async (tx) => {
      await tx.project.findFirst({ where: { id: p.id, orgId: scope.orgId } });
      await changeVersioned({ db: tx, orgId: scope.orgId, what: "project", ...p, data: { description: `tx ${n}` } });
    }),
};

async function timed(
  scope: OrgScope,
  projects: Project[],
  write: Write,
  workers: number,
  seconds: number,
): Promise<LoadResult> {
  // Sequential writes per worker, each on its own projects (no two race for one version).
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const own = projects.filter((_, i) => i % workers === w);
      for (let n = 0; performance.now() < deadline; n++) {
        const project = own[n % own.length]!;
        const sent = performance.now();
        await write(scope, project, n);
        latencies.push(performance.now() - sent);
        project.version++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { requests: latencies.length, seconds: elapsed, latencies: Float64Array.from(latencies) };
}

export async function measureAuditInsert(
  config: Config,
  centralUrl: string,
  org: { id: string; userId: string },
  rounds: number,
  seconds: number,
): Promise<Record<string, Summary>> {
  const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
  try {
    const row = await app.central.organization.findUniqueOrThrow({ where: { id: org.id } });
    const lease = await app.orgClients.acquire(resolvePlacement(row, app.servers));
    try {
      const scope: OrgScope = { db: lease.db, orgId: org.id, actorId: org.userId, isMember: async () => true };
      const projects = await lease.db.project.findMany({
        where: { orgId: org.id },
        select: { id: true, version: true },
      });
      const names = Object.keys(WRITES);
      const runs: Record<string, LoadResult[]> = Object.fromEntries(names.map((n) => [n, []]));
      for (const name of names) await timed(scope, projects, WRITES[name]!, 4, 1); // warm-up
      for (let round = 0; round < rounds; round++)
        for (const name of round % 2 ? [...names].reverse() : names)
          runs[name]!.push(await timed(scope, projects, WRITES[name]!, 4, seconds));
      return Object.fromEntries(names.map((n) => [n, summarize(runs[n]!)]));
    } finally {
      lease.release();
    }
  } finally {
    await app.close();
  }
}
