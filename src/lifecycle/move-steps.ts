// The steps of a move after "plan", each idempotent: run again after a failure, it resumes.
// The runner (src/lifecycle/move-org.ts) runs them in MOVE_STEPS order and records each.
import type { Organization } from "../data/central-client.ts";
import type { OrgMove } from "../data/generated/central/client.ts";
import { fenceSource, pauseWrites, resumeWrites, startCapture } from "./move-capture.ts";
import { provisionTarget, settleTargetRole } from "./move-placement.ts";
import {
  applyChanges,
  copyTable,
  tableSums,
  withPlacementSession,
  type MoveSides,
  type TableCopy,
} from "./move-rows.ts";
import { sourceOf, targetOf, withId, type MoveDeps, type MoveReport, type MoveStep } from "./move-types.ts";
import { verifyBeforePause, verifyInPause } from "./move-verify.ts";
import { changeOrganization } from "./org-changes.ts";
import { orgTables } from "./org-data.ts";

type StepRun = (deps: MoveDeps, org: Organization, move: OrgMove, report: MoveReport) => Promise<void>;

/** Both sides of the move, scoped to the organization, for the length of `work`. */
function withSides<T>(deps: MoveDeps, org: Organization, move: OrgMove, work: (s: MoveSides) => Promise<T>) {
  return withPlacementSession(withId(org, sourceOf(move)), deps.servers, (source) =>
    withPlacementSession(withId(org, targetOf(move)), deps.servers, async (target) =>
      work({ orgId: org.id, source, target, tables: await orgTables(source) }),
    ),
  );
}

export const STEPS: Record<Exclude<MoveStep, "plan">, StepRun> = {
  "provision target": ({ central, servers, appRole, migrations, defaults }, org, move) =>
    provisionTarget({ central, servers, appRole, migrations, defaults }, org, targetOf(move)),

  "capture changes": (deps, org, move) =>
    withPlacementSession(withId(org, sourceOf(move)), deps.servers, async (source) =>
      startCapture(source, org.id, await orgTables(source)),
    ),

  "copy rows": (deps, org, move, report) =>
    withSides(deps, org, move, async (sides) => {
      const started = performance.now();
      const progress = { ...(move.progress as unknown as Record<string, TableCopy>) };
      const record = () =>
        deps.central.orgMove.update({ where: { orgId: org.id }, data: { progress: progress as unknown as object } });
      for (const table of sides.tables) {
        const done = progress[table] ?? { rows: 0, after: null, done: false };
        if (!done.done) {
          const total = (await tableSums(sides.source, org.id, [table]))[table]!.rows;
          progress[table] = await copyTable(sides, table, done, async (p) => {
            progress[table] = p;
            deps.onProgress?.(table, p.rows, total);
            await record();
          });
          await record();
        }
        report.rows[table] = progress[table]!.rows;
      }
      report.copyMs = performance.now() - started;
    }),

  "catch up": (deps, org, move) =>
    withSides(deps, org, move, async (sides) => void (await applyChanges(sides, deps.catchUpBelow ?? 100))),

  switch: (deps, org, move, report) =>
    withSides(deps, org, move, async (sides) => {
      const verifying = performance.now();
      const changed = await verifyBeforePause(sides);
      report.verifyMs = performance.now() - verifying;
      // Writes queue from the moment the lock is asked for. Session-level: held across the
      // central transaction, released even if that fails.
      const paused = performance.now();
      await pauseWrites(sides.source, org.id);
      try {
        await deps.whilePaused?.();
        await applyChanges(sides, 1, changed);
        const verifyingAgain = performance.now();
        report.rows = await verifyInPause(sides, changed);
        report.verifyMs += performance.now() - verifyingAgain;
        // The fence first: once the central placement changes, the source already refuses writes.
        await fenceSource(sides.source, org.id);
        await changeOrganization(deps, org.id, { ...targetOf(move), state: "READY", lastError: null }, (tx) =>
          tx.orgMove.update({
            where: { orgId: org.id },
            data: { step: "switch", switchedAt: new Date(), lastError: null },
          }),
        );
      } finally {
        await resumeWrites(sides.source, org.id).catch(() => undefined);
        report.pauseMs = performance.now() - paused;
      }
    }),

  finish: (deps, _org, move) => settleTargetRole(deps.servers, sourceOf(move), targetOf(move)),
};
