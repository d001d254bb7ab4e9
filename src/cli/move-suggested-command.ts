// `tenantgraph orgs move --suggested [--dry-run] [--concurrency N] [--json]`: prints the plan
// (each organization whose size suggests another tier: slug, from -> to, size), stops there
// with --dry-run, otherwise moves them a few at a time with a line per organization as it
// starts and ends, and a final report (moved, failed with the reason, skipped). Exits 1 when
// a move failed.
import type { SuggestedMove } from "../lifecycle/move-suggested.ts";
import { printJson } from "./output.ts";
import { withCliSession } from "./session.ts";

export interface SuggestedOptions {
  dryRun?: boolean;
  concurrency?: number;
  json?: boolean;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export function moveSuggested(opts: SuggestedOptions): Promise<void> {
  const concurrency = opts.concurrency ?? 2;
  const quiet = Boolean(opts.json);
  const tell = quiet ? () => {} : say;
  return withCliSession(quiet, async ({ config, deps }) => {
    const { planSuggestedMoves, runSuggestedMoves } = await import("../lifecycle/move-suggested.ts");
    tell("measuring every organization (orgs stats)...");
    const plan = await planSuggestedMoves(deps, config.observe, concurrency);
    if (!plan.moves.length) tell("no organization is suggested another tier");
    else tell(`plan (${plan.moves.length}):`);
    for (const move of plan.moves) tell(`  ${describe(move)}`);
    for (const { slug, reason } of plan.skipped) tell(`  skip ${slug}: ${reason}`);
    if (opts.dryRun) {
      if (opts.json) printJson({ dryRun: true, ...plan });
      else tell("dry run: nothing moved");
      return;
    }
    let done = 0;
    const total = plan.moves.length;
    const outcome = await runSuggestedMoves(deps, plan.moves, {
      concurrency,
      onStart: (move) => tell(`${move.slug}: moving ${move.from} -> ${move.to}`),
      onMoved: (move, report) =>
        tell(
          `[${++done}/${total}] ${move.slug}: ${report.alreadyMoved ? "already" : "moved"} on ${move.to}` +
            ` (writes paused ${Math.round(report.pauseMs)} ms)`,
        ),
      onFailed: (move, error) => tell(`[${++done}/${total}] ${move.slug}: FAILED: ${error}`),
    });
    if (opts.json)
      printJson({
        moved: outcome.moved.map(({ report, ...move }) => ({ ...move, pauseMs: report.pauseMs, rows: report.rows })),
        failed: outcome.failed,
        skipped: plan.skipped,
      });
    else {
      tell(`moved ${outcome.moved.length}, failed ${outcome.failed.length}, skipped ${plan.skipped.length}`);
      for (const move of outcome.moved) tell(`  moved ${describe(move)}`);
      for (const move of outcome.failed) tell(`  FAILED ${move.slug} (${move.from} -> ${move.to}): ${move.error}`);
      for (const { slug, reason } of plan.skipped) tell(`  skipped ${slug}: ${reason}`);
    }
    if (outcome.failed.length) process.exitCode = 1;
  });
}

function describe(move: SuggestedMove): string {
  return `${move.slug}: ${move.from} -> ${move.to} on ${move.server} (${mb(move.storageBytes)}, ${move.totalRows} rows)`;
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;
