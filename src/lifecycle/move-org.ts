// Moving an organization to another tier and/or server while it keeps serving: small
// idempotent steps in one order, the step reached recorded in org_moves (state MOVING).
// Until the switch the source is authoritative (requests use it); a failure leaves the
// organization serving from it, and running the move again resumes at the recorded step;
// `abortMove` undoes everything up to the switch. The switch (writes wait, the last changes
// are applied, both sides verified, the source fenced, the placement changed in one central
// transaction that announces org-changed) is the only moment writes pause. After it the
// source stays, fenced, until `cleanUpMoves`.
// The steps are in move-steps.ts, abort and cleanup in move-undo.ts.
import type { Organization } from "../data/central-client.ts";
import { latestVersion } from "../data/migrator.ts";
import type { OrgMove } from "../data/generated/central/client.ts";
import { samePlacement, targetPlacement, type PlacementOf } from "./move-placement.ts";
import { STEPS } from "./move-steps.ts";
import {
  liveOrg,
  MOVE_STEPS,
  sourceOf,
  targetOf,
  type MoveDeps,
  type MoveReport,
  type MoveRequest,
  type MoveStep,
} from "./move-types.ts";
import { abortMove, cleanUpMove } from "./move-undo.ts";
import { VerificationError } from "./move-verify.ts";
import { changeOrganization } from "./org-changes.ts";
import { tenantMigrations } from "./targets.ts";

export { MOVE_STEPS, type MoveDeps, type MoveReport, type MoveRequest, type MoveStep } from "./move-types.ts";
export { abortMove, cleanUpMove, cleanUpMoves } from "./move-undo.ts";

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

/** Step "plan": checks, then records the move and the state MOVING (still routed to the source). */
async function planMove(deps: MoveDeps, org: Organization, target: PlacementOf): Promise<OrgMove> {
  if (org.state !== "READY") throw new Error(`${org.slug} is ${org.state.toLowerCase()}; a move needs READY`);
  if (!deps.servers[target.server]) throw new Error(`server "${target.server}" is not configured (SERVERS)`);
  const version = latestVersion(await tenantMigrations(deps));
  if (org.schemaVersion !== version)
    throw new Error(`${org.slug} is at schema ${org.schemaVersion ?? "none"}, not ${version}: run migrate first`);
  let move!: OrgMove;
  // The move's record commits with the MOVING state and its announcement, or neither does.
  await changeOrganization(deps, org.id, { state: "MOVING" }, async (tx) => {
    move = await tx.orgMove.create({
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
    });
  });
  return move;
}
