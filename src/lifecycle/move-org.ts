// Moving an organization to another tier and/or server while it keeps serving: small
// idempotent steps in one order, the step reached recorded in org_moves (state MOVING).
// Until the switch the source is authoritative (requests use it); a failure leaves the
// organization serving from it, and running the move again resumes at the recorded step;
// `abortMove` undoes everything up to the switch. The switch (writes wait, the last changes
// are applied, both sides verified, the source fenced, the placement changed in one central
// transaction that announces org-changed) is the only moment writes pause. After it the
// source stays, fenced, until `cleanUpMoves`.
import type { Organization, Tier } from "../data/central-client.ts";
import { notifyCentral } from "../data/central-notifications.ts";
import { latestVersion } from "../data/migrator.ts";
import type { Placement } from "../data/placement.ts";
import type { OrgMove } from "../data/generated/central/client.ts";
import { fenceSource, pauseWrites, resumeWrites, startCapture, stopCapture } from "./move-capture.ts";
import {
  provisionTarget,
  removePlacementData,
  samePlacement,
  settleTargetRole,
  targetPlacement,
  type PlacementOf,
} from "./move-placement.ts";
import {
  applyChanges,
  copyTable,
  tableSums,
  withPlacementSession,
  type MoveSides,
  type TableCopy,
} from "./move-rows.ts";
import { verifyBeforePause, verifyInPause, VerificationError } from "./move-verify.ts";
import { orgTables } from "./org-data.ts";
import { tenantMigrations, type LifecycleDeps } from "./targets.ts";

export interface MoveDeps extends LifecycleDeps {
  defaults?: { hostDatabasePrefix?: string };
  onStep?: (step: MoveStep) => void;
  /** Rows copied of a table so far, of `total` (the source's count when its copy began). */
  onProgress?: (table: string, rows: number, total: number) => void;
  /** Called after each step is recorded; throwing simulates a crash there (tests). */
  afterStep?: (step: MoveStep) => void | Promise<void>;
  /** Called before each step (tests alter the target before the switch). */
  beforeStep?: (step: MoveStep, move: OrgMove) => void | Promise<void>;
  /** Runs while writes are paused in the switch (tests start a write there). */
  whilePaused?: () => Promise<void>;
  /** Catch-up stops once a round applies fewer changes than this; the rest waits for the switch. */
  catchUpBelow?: number;
}

export interface MoveRequest {
  slug: string;
  tier: Tier;
  /** Default: the organization's current server. */
  server?: string;
  /** Remove the source right after the switch instead of keeping it until cleanup. */
  dropSource?: boolean;
}

export const MOVE_STEPS = [
  "plan",
  "provision target",
  "capture changes",
  "copy rows",
  "catch up",
  "switch",
  "finish",
] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];

export interface MoveReport {
  slug: string;
  from: PlacementOf;
  to: PlacementOf;
  /** Already at the target (a finished move run again). */
  alreadyMoved: boolean;
  rows: Record<string, number>;
  copyMs: number;
  /** How long writes were paused (lock held) in the switch. */
  pauseMs: number;
  /** Both verification stages (the second is part of the pause). */
  verifyMs: number;
}

const sourceOf = (m: OrgMove): PlacementOf => ({
  tier: m.sourceTier,
  server: m.sourceServer,
  databaseName: m.sourceDatabase,
  schemaName: m.sourceSchema,
});
const targetOf = (m: OrgMove): PlacementOf => ({
  tier: m.targetTier,
  server: m.targetServer,
  databaseName: m.targetDatabase,
  schemaName: m.targetSchema,
});
const withId = (org: Organization, p: PlacementOf): Placement => ({ id: org.id, ...p });

/** Moves the organization, or resumes its recorded move; idempotent once finished. */
export async function moveOrganization(deps: MoveDeps, request: MoveRequest): Promise<MoveReport> {
  const org = await liveOrg(deps, request.slug);
  const wanted = targetPlacement(org, request.tier, request.server ?? org.server, deps.defaults?.hostDatabasePrefix);
  let move = await deps.central.orgMove.findUnique({ where: { orgId: org.id } });
  if (move && !samePlacement(targetOf(move), wanted)) {
    const to = targetOf(move);
    throw new Error(
      `${org.slug} has a move to ${to.tier} on ${to.server} ${move.switchedAt ? "whose source is not cleaned up yet (orgs move --cleanup)" : "in progress: run it again with that target, or --abort it"}`,
    );
  }
  const report: MoveReport = {
    slug: org.slug,
    from: move ? sourceOf(move) : org,
    to: wanted,
    alreadyMoved: move?.step === "finish",
    rows: {},
    copyMs: 0,
    pauseMs: 0,
    verifyMs: 0,
  };
  if (!move) {
    if (samePlacement(org, wanted)) throw new Error(`${org.slug} is already on ${wanted.tier} on ${wanted.server}`);
    move = await planMove(deps, org, wanted);
    await deps.afterStep?.("plan");
  }
  const remaining = MOVE_STEPS.slice(MOVE_STEPS.indexOf(move.step as MoveStep) + 1) as Array<Exclude<MoveStep, "plan">>;
  for (const step of remaining) {
    deps.onStep?.(step);
    await deps.beforeStep?.(step, move);
    try {
      await STEPS[step](deps, org, move, report);
    } catch (error) {
      const reason = `${step}: ${error instanceof Error ? error.message : String(error)}`;
      if (error instanceof VerificationError) {
        await abortMove(deps, org.slug);
        throw new Error(`moving ${org.slug} aborted at ${reason}; it stays on its source`, { cause: error });
      }
      await deps.central.orgMove.update({ where: { orgId: org.id }, data: { lastError: reason } });
      throw new Error(`moving ${org.slug} stopped at ${reason}; run the move again to resume, or --abort`, {
        cause: error,
      });
    }
    // The switch records its step in its own central transaction.
    move = await deps.central.orgMove.update({ where: { orgId: org.id }, data: { step, lastError: null } });
    await deps.afterStep?.(step);
  }
  if (request.dropSource) await cleanUpMove(deps, org.slug);
  return report;
}

async function liveOrg(deps: MoveDeps, slug: string): Promise<Organization> {
  const org = await deps.central.organization.findUnique({ where: { slug } });
  if (!org || org.state === "DELETED") throw new Error(`no organization "${slug}"`);
  return org;
}

/** Step "plan": checks, then records the move and the state MOVING (still routed to the source). */
async function planMove(deps: MoveDeps, org: Organization, target: PlacementOf): Promise<OrgMove> {
  if (org.state !== "READY") throw new Error(`${org.slug} is ${org.state.toLowerCase()}; a move needs READY`);
  if (!deps.servers[target.server]) throw new Error(`server "${target.server}" is not configured (SERVERS)`);
  const version = latestVersion(await tenantMigrations(deps));
  if (org.schemaVersion !== version)
    throw new Error(`${org.slug} is at schema ${org.schemaVersion ?? "none"}, not ${version}: run migrate first`);
  const [move] = await deps.central.$transaction([
    deps.central.orgMove.create({
      data: {
        orgId: org.id,
        step: "plan",
        sourceTier: org.tier,
        sourceServer: org.server,
        sourceDatabase: org.databaseName,
        sourceSchema: org.schemaName,
        targetTier: target.tier,
        targetServer: target.server,
        targetDatabase: target.databaseName,
        targetSchema: target.schemaName,
      },
    }),
    deps.central.organization.update({ where: { id: org.id }, data: { state: "MOVING" } }),
    notifyCentral(deps.central, { type: "org-changed", orgId: org.id }),
  ]);
  return move;
}

type StepRun = (deps: MoveDeps, org: Organization, move: OrgMove, report: MoveReport) => Promise<void>;

/** Both sides of the move, scoped to the organization, for the length of `work`. */
function withSides<T>(deps: MoveDeps, org: Organization, move: OrgMove, work: (s: MoveSides) => Promise<T>) {
  return withPlacementSession(withId(org, sourceOf(move)), deps.servers, (source) =>
    withPlacementSession(withId(org, targetOf(move)), deps.servers, async (target) =>
      work({ orgId: org.id, source, target, tables: await orgTables(source) }),
    ),
  );
}

const STEPS: Record<Exclude<MoveStep, "plan">, StepRun> = {
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
        const target = targetOf(move);
        await deps.central.$transaction([
          deps.central.organization.update({
            where: { id: org.id },
            data: { ...target, state: "READY", lastError: null },
          }),
          deps.central.orgMove.update({
            where: { orgId: org.id },
            data: { step: "switch", switchedAt: new Date(), lastError: null },
          }),
          notifyCentral(deps.central, { type: "org-changed", orgId: org.id }),
        ]);
      } finally {
        await resumeWrites(sides.source, org.id).catch(() => undefined);
        report.pauseMs = performance.now() - paused;
      }
    }),

  finish: (deps, _org, move) => settleTargetRole(deps.servers, sourceOf(move), targetOf(move)),
};

/**
 * Undoes a move that has not switched: capture stopped, the target's data and role removed,
 * the organization READY on its source again. Idempotent; refused after the switch.
 */
export async function abortMove(deps: MoveDeps, slug: string): Promise<void> {
  const org = await liveOrg(deps, slug);
  const move = await deps.central.orgMove.findUnique({ where: { orgId: org.id } });
  if (!move) {
    if (org.state === "MOVING") await markReady(deps, org.id);
    return;
  }
  if (move.switchedAt)
    throw new Error(`${slug} has already switched to its target; move it back instead (orgs move ${slug} --tier ...)`);
  const source = sourceOf(move);
  await withPlacementSession(withId(org, source), deps.servers, async (client) =>
    stopCapture(client, org.id, await orgTables(client), source.tier === "SHARED"),
  );
  await removePlacementData(deps.servers, org.id, targetOf(move), source);
  await deps.central.$transaction([
    deps.central.orgMove.delete({ where: { orgId: org.id } }),
    deps.central.organization.update({ where: { id: org.id }, data: { state: "READY", lastError: null } }),
    notifyCentral(deps.central, { type: "org-changed", orgId: org.id }),
  ]);
}

async function markReady(deps: MoveDeps, orgId: string): Promise<void> {
  await deps.central.$transaction([
    deps.central.organization.update({ where: { id: orgId }, data: { state: "READY" } }),
    notifyCentral(deps.central, { type: "org-changed", orgId }),
  ]);
}

/** Removes the kept source of a switched move (and the move's record). */
export async function cleanUpMove(deps: MoveDeps, slug: string): Promise<void> {
  const org = await liveOrg(deps, slug);
  const move = await deps.central.orgMove.findUnique({ where: { orgId: org.id } });
  if (!move) return;
  if (!move.switchedAt) throw new Error(`${slug} has not switched yet: finish the move or --abort it`);
  const source = sourceOf(move);
  await removePlacementData(deps.servers, org.id, source, targetOf(move));
  if (source.tier !== "DATABASE") {
    // The capture schema and triggers stay only while other organizations of that database are
    // moving. (A SCHEMA host database's public schema has no organization tables: no triggers to drop.)
    await withPlacementSession(withId(org, { ...source, tier: "SHARED", schemaName: null }), deps.servers, async (c) =>
      stopCapture(c, org.id, await orgTables(c), true),
    );
  }
  await deps.central.orgMove.delete({ where: { orgId: org.id } });
}

/** Every switched move whose source has been kept at least `keepHours`: cleaned up; returns their slugs. */
export async function cleanUpMoves(deps: MoveDeps, keepHours: number): Promise<string[]> {
  const due = await deps.central.orgMove.findMany({
    where: { switchedAt: { lte: new Date(Date.now() - keepHours * 3_600_000) } },
    select: { org: { select: { slug: true } } },
  });
  for (const { org } of due) await cleanUpMove(deps, org.slug);
  return due.map((m) => m.org.slug);
}
