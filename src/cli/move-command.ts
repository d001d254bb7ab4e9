// `tenantgraph orgs move SLUG --tier T [--server S]`: moves an organization online (a
// progress bar per table), resumes a stopped move when run again, `--abort` undoes one that
// has not switched, `--cleanup` removes kept sources (one organization's, or every source
// kept longer than MOVE_KEEP_SOURCE_HOURS), `--drop-source` removes the source at once.
// `--suggested` moves every organization `orgs stats` suggests another tier for (see
// move-suggested-command.ts).
import { InvalidArgumentError, type Command } from "commander";
import type { Tier } from "../data/central-client.ts";
import { checkServer, enumOption, positiveInt, slugArgument, TIERS } from "./arguments.ts";
import { moveSuggested } from "./move-suggested-command.ts";
import { printJson, ProgressBar } from "./output.ts";
import { withCliSession } from "./session.ts";

interface MoveOptions {
  tier?: Tier;
  server?: string;
  yes?: boolean;
  json?: boolean;
  abort?: boolean;
  cleanup?: boolean;
  dropSource?: boolean;
  suggested?: boolean;
  dryRun?: boolean;
  concurrency?: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export function addMoveCommand(orgs: Command, confirm: (q: string, expected: string, yes?: boolean) => Promise<void>) {
  orgs
    .command("move")
    .description("move an organization to another tier and/or server while it keeps serving (run again to resume)")
    .argument("[slug]", "the organization", slugArgument)
    .addOption(enumOption("--tier <tier>", "target tier", TIERS))
    .option("--server <server>", "target server (default: its current one)")
    .option("--abort", "undo a move that has not switched; the organization stays where it was")
    .option("--cleanup", "remove kept sources: this organization's, or all kept longer than MOVE_KEEP_SOURCE_HOURS")
    .option("--drop-source", "remove the source right after the switch")
    .option("--suggested", "move every organization whose size `orgs stats` suggests another tier for")
    .option("--dry-run", "with --suggested: print the plan, move nothing")
    .option("--concurrency <n>", "with --suggested: organizations moved at once (default 2)", positiveInt)
    .option("--yes", "do not ask for confirmation")
    .option("--json", "JSON output")
    .action(async (slug: string | undefined, opts: MoveOptions, command: Command) => {
      try {
        if (opts.suggested) {
          const alone = ["tier", "server", "abort", "cleanup", "dropSource"] as const;
          if (slug || alone.some((o) => opts[o]))
            throw new InvalidArgumentError(
              "--suggested moves the organizations stats suggests: no slug, --tier, --server, --abort, --cleanup or --drop-source",
            );
        } else if (opts.dryRun || opts.concurrency)
          throw new InvalidArgumentError("--dry-run and --concurrency go with --suggested");
        if (!opts.suggested && !opts.cleanup && !slug)
          throw new InvalidArgumentError("a slug is needed (except for --cleanup)");
        if (!opts.suggested && !opts.abort && !opts.cleanup && !opts.tier)
          throw new InvalidArgumentError("--tier is needed");
        await checkServer(opts.server);
      } catch (error) {
        if (error instanceof InvalidArgumentError) command.error(`error: ${error.message}`);
        throw error;
      }
      if (opts.suggested) return moveSuggested(opts);
      if (opts.cleanup || opts.dropSource)
        await confirm(
          `Remove the old copy of ${slug ?? "every organization moved long enough ago"}?`,
          slug ?? "cleanup",
          opts.yes,
        );
      return withCliSession(Boolean(opts.json), async ({ config, deps }) => {
        const { abortMove, cleanUpMove, cleanUpMoves, moveOrganization } = await import("../lifecycle/move-org.ts");
        if (opts.cleanup) {
          const cleaned = slug
            ? (await cleanUpMove(deps, slug), [slug])
            : await cleanUpMoves(deps, config.moveKeepSourceHours);
          if (opts.json) printJson({ cleaned });
          else say(cleaned.length ? `sources removed: ${cleaned.join(", ")}` : "no kept source is due");
          return;
        }
        if (opts.abort) {
          await abortMove(deps, slug!);
          if (opts.json) printJson({ slug, aborted: true });
          else say(`${slug}: move aborted; it stays where it was`);
          return;
        }
        const bars = new Map<string, ProgressBar>();
        const report = await moveOrganization(
          {
            ...deps,
            onStep: (step) => !opts.json && say(`${slug}: ${step}`),
            onProgress: (table, rows, total) => {
              if (!bars.has(table)) bars.set(table, new ProgressBar(`copy ${table}`, !opts.json));
              bars.get(table)!.update(Math.min(rows, total), Math.max(total, 1), {});
            },
          },
          { slug: slug!, tier: opts.tier!, server: opts.server, dropSource: opts.dropSource },
        );
        if (opts.json) printJson(report);
        else if (report.alreadyMoved) say(`${slug} is already on ${report.to.tier} on ${report.to.server}`);
        else
          say(
            `${slug} moved to ${report.to.tier} on ${report.to.server}: ${Object.entries(report.rows)
              .map(([t, n]) => `${n} ${t}`)
              .join(
                ", ",
              )}; copy ${Math.round(report.copyMs)} ms, writes paused ${Math.round(report.pauseMs)} ms, verify ${Math.round(report.verifyMs)} ms`,
          );
      });
    });
}
