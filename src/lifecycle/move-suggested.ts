// `orgs move --suggested`: acting on `orgs stats` suggestions in bulk. The organizations whose
// size suggests another tier (fleetStats decides, with the thresholds of ObserveConfig) are
// planned, then each is moved with moveOrganization exactly as `orgs move SLUG --tier T`
// would (same server), a few at a time. A failure is recorded and the others still move; an
// organization that could not be measured or is in the middle of a move is skipped.
import type { Tier } from "../data/central-client.ts";
import { fleetStats } from "../monitoring/fleet-stats.ts";
import type { ObserveConfig } from "../observe-config.ts";
import { moveOrganization, type MoveDeps, type MoveReport } from "./move-org.ts";

export interface SuggestedMove {
  slug: string;
  from: Tier;
  to: Tier;
  server: string;
  storageBytes: number;
  totalRows: number;
}

export interface SuggestedPlan {
  moves: SuggestedMove[];
  skipped: Array<{ slug: string; reason: string }>;
}

export interface SuggestedOutcome {
  moved: Array<SuggestedMove & { report: MoveReport }>;
  failed: Array<SuggestedMove & { error: string }>;
}

/** Every routable organization measured; those whose suggested tier differs from their tier. */
export async function planSuggestedMoves(
  deps: Pick<MoveDeps, "central" | "servers">,
  config: Pick<ObserveConfig, "thresholds" | "tierBySize">,
  concurrency: number,
): Promise<SuggestedPlan> {
  const stats = await fleetStats(deps, config, { minutes: 5, concurrency });
  const moving = new Set(
    (await deps.central.organization.findMany({ where: { state: "MOVING" }, select: { slug: true } })).map(
      (o) => o.slug,
    ),
  );
  const skipped: SuggestedPlan["skipped"] = stats.failed.map((f) => ({
    slug: f.slug,
    reason: `not measured: ${f.error}`,
  }));
  const moves: SuggestedMove[] = [];
  for (const s of stats.orgs) {
    if (s.suggestedTier === s.tier) continue;
    if (moving.has(s.slug)) {
      skipped.push({ slug: s.slug, reason: "a move is in progress (finish or --abort it first)" });
      continue;
    }
    const { slug, tier: from, suggestedTier: to, server, storageBytes, totalRows } = s;
    moves.push({ slug, from, to, server, storageBytes, totalRows });
  }
  return { moves, skipped };
}

export interface RunSuggestedOptions {
  concurrency: number;
  onStart?(move: SuggestedMove): void;
  onMoved?(move: SuggestedMove, report: MoveReport): void;
  onFailed?(move: SuggestedMove, error: string): void;
}

/** Moves each planned organization, `concurrency` at a time, continuing past failures. */
export async function runSuggestedMoves(
  deps: MoveDeps,
  moves: SuggestedMove[],
  options: RunSuggestedOptions,
): Promise<SuggestedOutcome> {
  const outcome: SuggestedOutcome = { moved: [], failed: [] };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < moves.length; i = next++) {
      const move = moves[i]!;
      options.onStart?.(move);
      try {
        const report = await moveOrganization(deps, { slug: move.slug, tier: move.to });
        outcome.moved.push({ ...move, report });
        options.onMoved?.(move, report);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        outcome.failed.push({ ...move, error: reason });
        options.onFailed?.(move, reason);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(options.concurrency, 1), moves.length) }, worker));
  return outcome;
}
