// `tenantgraph orgs stats [SLUG...] [--json]`: per organization its tier and server, storage,
// rows per table, connections now, recent request rate / error rate / latency (from every
// server process's figures in the central database), the thresholds it is over and the tier
// its size suggests. Progress on stderr; exits 1 when an organization could not be measured.
import type { Command } from "commander";
import { slugArgument, positiveInt } from "./arguments.ts";
import { printJson, printTable, ProgressBar } from "./output.ts";
import { withCliSession } from "./session.ts";

const say = (line: string) => process.stderr.write(`${line}\n`);

export function addOrgStatsCommand(orgs: Command): void {
  orgs
    .command("stats")
    .description("size, activity, thresholds crossed and suggested tier per organization")
    .argument("[slugs...]", "organizations (default: every routable one)", (value: string, previous: string[] = []) => [
      ...previous,
      slugArgument(value),
    ])
    .option("--minutes <n>", "request figures over the last n minutes (default 5)", positiveInt)
    .option("--concurrency <n>", "organizations measured at once (default 4)", positiveInt)
    .option("--json", "JSON output")
    .action((slugs: string[], opts: { minutes?: number; concurrency?: number; json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ config, deps }) => {
        const { fleetStats } = await import("../monitoring/fleet-stats.ts");
        const bar = new ProgressBar("measuring", !opts.json);
        const report = await fleetStats(deps, config.observe, {
          slugs: slugs.length ? slugs : undefined,
          minutes: opts.minutes ?? 5,
          concurrency: opts.concurrency ?? 4,
          onProgress: (done, total, failed) => bar.update(done, total, { measured: done - failed, failed }),
          onCrossed: (slug, threshold, value, limit) =>
            bar.note(`${slug} is over the ${threshold} threshold: ${round(value)} > ${limit}`),
        });
        for (const { slug, error } of report.failed) bar.note(`FAILED ${slug}: ${error}`);
        if (opts.json) printJson(report);
        else
          printTable(
            report.orgs.map((s) => ({
              slug: s.slug,
              tier: s.tier,
              server: s.server,
              storage: bytes(s.storageBytes),
              rows: Object.entries(s.rows)
                .map(([table, n]) => `${table}=${n}`)
                .join(" "),
              connections: s.connections,
              "req/s": round(s.requestsPerSecond),
              errors: s.errorRate === null ? null : `${round(s.errorRate * 100)}%`,
              "avg ms": s.avgMs === null ? null : round(s.avgMs),
              "p99 ms": s.p99Ms,
              over: s.over.join(",") || null,
              suggested: s.suggestedTier === s.tier ? s.tier : `${s.suggestedTier} (move)`,
            })),
          );
        if (!opts.json && report.orgs.some((s) => s.over.length)) say("over: thresholds crossed (README: orgs stats)");
        if (report.failed.length) process.exitCode = 1;
      }),
    );
}

const round = (n: number) => Math.round(n * 100) / 100;

function bytes(n: number): string {
  if (n < 1024 * 1024) return `${round(n / 1024)} kB`;
  if (n < 1024 * 1024 * 1024) return `${round(n / 1024 / 1024)} MB`;
  return `${round(n / 1024 / 1024 / 1024)} GB`;
}
