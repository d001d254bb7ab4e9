// Undoing a move before its switch (abort), and removing the kept source after it (cleanup).
import { changeOrganization } from "./org-changes.ts";
import { removePlacementData } from "./move-placement.ts";
import { withPlacementSession } from "./move-rows.ts";
import { liveOrg, sourceOf, targetOf, withId, type MoveDeps } from "./move-types.ts";
import { stopCapture } from "./move-capture.ts";
import { orgTables } from "./org-data.ts";

/**
 * Undoes a move that has not switched: capture stopped, the target's data and role removed,
 * the organization READY on its source again. Idempotent; refused after the switch.
 */
export async function abortMove(deps: MoveDeps, slug: string): Promise<void> {
  const org = await liveOrg(deps, slug);
  const move = await deps.central.orgMove.findUnique({ where: { orgId: org.id } });
  if (!move) {
    if (org.state === "MOVING") await changeOrganization(deps, org.id, { state: "READY" });
    return;
  }
  if (move.switchedAt)
    throw new Error(`${slug} has already switched to its target; move it back instead (orgs move ${slug} --tier ...)`);
  const source = sourceOf(move);
  await withPlacementSession(withId(org, source), deps.servers, async (client) =>
    stopCapture(client, org.id, await orgTables(client), source.tier === "SHARED"),
  );
  await removePlacementData(deps.servers, org.id, targetOf(move), source);
  await changeOrganization(deps, org.id, { state: "READY", lastError: null }, (tx) =>
    tx.orgMove.delete({ where: { orgId: org.id } }),
  );
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
