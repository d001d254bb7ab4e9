// What a move is given and answers, its steps in order, and the placements its record
// (central table org_moves) names. src/lifecycle/move-org.ts re-exports the public ones.
import type { Organization, Tier } from "../data/central-client.ts";
import type { Placement } from "../data/placement.ts";
import type { OrgMove } from "../data/generated/central/client.ts";
import type { PlacementOf } from "./move-placement.ts";
import type { LifecycleDeps } from "./targets.ts";

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

export const sourceOf = (m: OrgMove): PlacementOf => ({
  tier: m.sourceTier,
  server: m.sourceServer,
  databaseName: m.sourceDatabase,
  schemaName: m.sourceSchema,
});
export const targetOf = (m: OrgMove): PlacementOf => ({
  tier: m.targetTier,
  server: m.targetServer,
  databaseName: m.targetDatabase,
  schemaName: m.targetSchema,
});
export const withId = (org: Organization, p: PlacementOf): Placement => ({ id: org.id, ...p });

/** The organization by slug, unless it is deleted. */
export async function liveOrg(deps: MoveDeps, slug: string): Promise<Organization> {
  const org = await deps.central.organization.findUnique({ where: { slug } });
  if (!org || org.state === "DELETED") throw new Error(`no organization "${slug}"`);
  return org;
}
