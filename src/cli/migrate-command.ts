// `tenantgraph migrate [--org ...] [--canary ...]`: pending tenant migrations for the fleet
// (src/lifecycle/migrate-fleet.ts), and `migrate status`: who is current, behind or failed.
import type { Command } from "commander";
import type { TargetOutcome } from "../lifecycle/migrate-fleet.ts";
import { positiveInt, slugArgument, slugListArgument } from "./arguments.ts";
import { printJson, printTable, ProgressBar } from "./output.ts";
import { say } from "./prompts.ts";
import { withCliSession } from "./session.ts";

const fleet = () => import("../lifecycle/migrate-fleet.ts");

export function registerMigrateCommand(program: Command): void {
  const migrate = program
    .command("migrate")
    .description("apply pending tenant migrations to every READY organization (`migrate status`: who is behind)")
    .option("--org <slug...>", "only these organizations", slugListArgument)
    .option("--concurrency <n>", "migrations in flight at once (default: from SERVER_CONNECTION_BUDGET)", positiveInt)
    .option("--canary <slug>", "organization to migrate first (default: the first pending one)", slugArgument)
    .option("--json", "JSON output")
    .action((opts: { org?: string[]; concurrency?: number; canary?: string; json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ config, deps }) => {
        const { defaultConcurrency, migrateFleet } = await fleet();
        const bar = new ProgressBar("migrating", !opts.json);
        const counts: Record<TargetOutcome, number> = { migrated: 0, current: 0, failed: 0, "not attempted": 0 };
        const report = await migrateFleet(deps, {
          orgs: opts.org,
          canary: opts.canary,
          concurrency: opts.concurrency ?? defaultConcurrency(config.orgClients.serverBudget),
          onResult: (r, done, total) => {
            counts[r.outcome]++;
            if (r.error) bar.note(`FAILED ${r.target.label}: ${r.error}`);
            bar.update(done, total, counts);
          },
        });
        // Templates of older migrations are copied no more (src/lifecycle/database-tier.ts).
        const droppedTemplates = await (await import("../lifecycle/database-tier.ts")).dropStaleTemplates(deps);
        const rows = report.results.map((r) => ({
          target: r.target.label,
          outcome: r.outcome,
          applied: r.applied.join(" "),
          error: r.error ?? null,
        }));
        if (opts.json)
          printJson({
            version: report.version,
            stoppedAtCanary: report.stoppedAtCanary,
            results: rows,
            roleSettings: report.roleSettings,
            droppedTemplates,
          });
        else {
          for (const { server, altered, error } of report.roleSettings) {
            if (error) say(`FAILED statement timeout of the request roles on ${server}: ${error}`);
            else if (altered.length)
              say(`statement timeout set to ORG_STATEMENT_TIMEOUT_MS on ${server}: ${altered.join(" ")}`);
          }
          if (droppedTemplates.length) say(`dropped stale template databases: ${droppedTemplates.join(", ")}`);
          printTable(rows.filter((r) => r.outcome !== "current"));
          if (report.stoppedAtCanary) say("the canary failed: nothing else was attempted");
          say(
            `${counts.migrated} migrated, ${counts.current} already current, ${counts.failed} failed, ${counts["not attempted"]} not attempted`,
          );
        }
        if (counts.failed || report.stoppedAtCanary || report.roleSettings.some((s) => s.error)) process.exitCode = 1;
      }),
    );

  migrate
    .command("status")
    .description(
      "who is current, behind or failed (reads the central database only); exits 1 when any is behind or failed",
    )
    .option("--json", "JSON output")
    .action((opts: { json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ deps }) => {
        const status = await (await fleet()).fleetStatus(deps);
        const counts = { current: 0, behind: 0, failed: 0 };
        for (const o of status.orgs) counts[o.status]++;
        if (opts.json) printJson(status);
        else {
          printTable(
            status.orgs.map((o) => ({
              slug: o.slug,
              tier: o.tier,
              server: o.server,
              state: o.state,
              version: o.version,
              status: o.status,
              lastError: o.lastError,
            })),
          );
          say(
            `code needs ${status.version}: ${counts.current} current, ${counts.behind} behind, ${counts.failed} failed`,
          );
        }
        if (counts.behind || counts.failed) process.exitCode = 1;
      }),
    );
}
