// A move that stops part-way: after a crash at any step, running it again finishes it with
// the same final state; `--abort` from any step before the switch leaves the organization as
// it was (placement, rows, no capture left in the source, no target); a target that does not
// match the source at the switch aborts the move and the organization keeps serving from the
// source; a write sent while the switch pauses writes waits, then lands on the target.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization, Tier } from "../../src/data/central-client.ts";
import { databaseExists } from "../../src/data/server-admin.ts";
import { abortMove, moveOrganization, MOVE_STEPS, type MoveStep } from "../../src/lifecycle/move-org.ts";
import { withPlacementSession } from "../../src/lifecycle/move-rows.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject, type Member } from "../helpers/fixtures.ts";
import { itemsAt, placementOf, removeMoveLeftovers } from "../helpers/moves.ts";
import { op } from "../helpers/operations.ts";
import { dataOf } from "../helpers/results.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await removeMoveLeftovers(app);
  await app?.close();
});

const PAIRS: Array<[Tier, Tier]> = [
  ["SHARED", "DATABASE"],
  ["DATABASE", "SCHEMA"],
  ["SCHEMA", "SHARED"],
  ["DATABASE", "SHARED"],
  ["SHARED", "SCHEMA"],
  ["SCHEMA", "DATABASE"],
];

class Crash extends Error {}

async function orgWithItems(
  name: string,
  tier: Tier,
): Promise<{ org: Organization; owner: Member; projectId: string }> {
  const org = await app.provisionOrg(name, { tier });
  const owner = await memberOf(app, org, "OWNER");
  const project = await newProject(app, owner.token, "P");
  for (let i = 0; i < 12; i++)
    dataOf(
      await app.graphql(op("NewItem"), {
        token: owner.token,
        variables: { input: { projectId: project.id, title: `i${i}` } },
      }),
    );
  return { org, owner, projectId: project.id };
}

/** A write through the API, and its item. */
async function createItem(owner: Member, projectId: string, title: string) {
  return dataOf(await app.graphql(op("NewItem"), { token: owner.token, variables: { input: { projectId, title } } }))
    .createItem;
}

/**
 * What capture left for this organization in the placement's database: its fence and change
 * log rows, and triggers on its tables (SHARED tables are everyone's: other organizations'
 * kept sources may still need triggers there).
 */
async function captureLeft(placement: Organization): Promise<number> {
  return withPlacementSession(placement, app.servers, async (c) => {
    const installed = (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'tenantgraph_move'")).rowCount === 1;
    const rows = installed
      ? Number(
          (
            await c.query(
              `SELECT (SELECT count(*) FROM tenantgraph_move.moving_orgs WHERE org_id = $1)
                    + (SELECT count(*) FROM tenantgraph_move.changes WHERE org_id = $1) AS n`,
              [placement.id],
            )
          ).rows[0].n,
        )
      : 0;
    const triggers = await c.query(
      `SELECT 1 FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE t.tgname = 'tenantgraph_move_capture' AND n.nspname = current_schema()`,
    );
    return rows + (placement.tier === "SHARED" ? 0 : (triggers.rowCount ?? 0));
  });
}

describe.each(MOVE_STEPS.map((step, i) => [step, ...PAIRS[i % PAIRS.length]!] as const))(
  "a crash after step %s (%s -> %s)",
  (step: MoveStep, from, to) => {
    it("is resumed by running the move again: same final state", async () => {
      const { org, owner, projectId } = await orgWithItems(`crash-${MOVE_STEPS.indexOf(step)}`, from);
      const crash = (at: MoveStep) => {
        if (at === step) throw new Crash(`simulated crash after ${at}`);
      };
      await expect(
        moveOrganization({ ...app.lifecycle, afterStep: crash }, { slug: org.slug, tier: to }),
      ).rejects.toThrow(Crash);
      // Still served (from the source until the switch, from the target after it), writes included.
      await createItem(owner, projectId, "after crash");
      const report = await moveOrganization(app.lifecycle, { slug: org.slug, tier: to });
      await createItem(owner, projectId, "after resume");
      const moved = await placementOf(app, org);
      expect({ tier: moved.tier, state: moved.state }).toEqual({ tier: to, state: "READY" });
      expect(report.alreadyMoved).toBe(step === "finish");
      const items = await itemsAt(app, moved);
      expect([...items.values()].map((i) => i.title).sort()).toEqual(
        [...Array.from({ length: 12 }, (_, i) => `i${i}`), "after crash", "after resume"].sort(),
      );
      const page = dataOf(await app.graphql(op("Items"), { token: owner.token, variables: { first: 100 } }));
      expect(page.itemsConnection.totalCount).toBe(14);
    });

    it(`--abort after it ${MOVE_STEPS.indexOf(step) < MOVE_STEPS.indexOf("switch") ? "leaves the organization as it was" : "is refused (already switched)"}`, async () => {
      const { org } = await orgWithItems(`abort-${MOVE_STEPS.indexOf(step)}`, from);
      const before = await placementOf(app, org);
      const itemsBefore = await itemsAt(app, before);
      const crash = (at: MoveStep) => {
        if (at === step) throw new Crash(`simulated crash after ${at}`);
      };
      await expect(
        moveOrganization({ ...app.lifecycle, afterStep: crash }, { slug: org.slug, tier: to }),
      ).rejects.toThrow(Crash);
      const move = await app.central.orgMove.findUniqueOrThrow({ where: { orgId: org.id } });
      if (MOVE_STEPS.indexOf(step) >= MOVE_STEPS.indexOf("switch")) {
        await expect(abortMove(app.lifecycle, org.slug)).rejects.toThrow(/already switched/);
        return;
      }
      await abortMove(app.lifecycle, org.slug);
      const after = await placementOf(app, org);
      expect(after).toMatchObject({
        tier: from,
        server: before.server,
        databaseName: before.databaseName,
        state: "READY",
      });
      expect(await app.central.orgMove.findUnique({ where: { orgId: org.id } })).toBeNull();
      expect(await itemsAt(app, after)).toEqual(itemsBefore);
      expect(await captureLeft(after)).toBe(0);
      // The target is gone: no database, no schema, no rows of the organization.
      const targetServer = app.servers[move.targetServer]!;
      if (to === "DATABASE") expect(await databaseExists(targetServer, move.targetDatabase)).toBe(false);
      else if (await databaseExists(targetServer, move.targetDatabase)) {
        const target = { ...after, tier: to, databaseName: move.targetDatabase, schemaName: move.targetSchema };
        if (to === "SCHEMA")
          expect(
            await withPlacementSession(
              { ...target, tier: "SHARED", schemaName: null },
              app.servers,
              async (c) =>
                (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [move.targetSchema])).rowCount,
            ),
          ).toBe(0);
        else expect((await itemsAt(app, target)).size).toBe(0);
      }
    });
  },
);

describe("verification", () => {
  it("a target row altered before the switch aborts the move; the organization stays on its source", async () => {
    const { org, owner, projectId } = await orgWithItems("tamper", "SHARED");
    const source = await placementOf(app, org);
    const tamper = async (step: MoveStep) => {
      if (step !== "switch") return;
      const move = await app.central.orgMove.findUniqueOrThrow({ where: { orgId: org.id } });
      const target = {
        ...source,
        tier: move.targetTier,
        databaseName: move.targetDatabase,
        schemaName: move.targetSchema,
      };
      await withPlacementSession(target, app.servers, (c) =>
        c.query(
          "UPDATE items SET title = 'tampered' WHERE id = (SELECT id FROM items WHERE org_id = $1 ORDER BY id LIMIT 1)",
          [org.id],
        ),
      );
    };
    await expect(
      moveOrganization({ ...app.lifecycle, beforeStep: tamper }, { slug: org.slug, tier: "DATABASE" }),
    ).rejects.toThrow(/verification failed: items/);
    expect(await placementOf(app, org)).toMatchObject({ tier: "SHARED", state: "READY" });
    expect(await app.central.orgMove.findUnique({ where: { orgId: org.id } })).toBeNull();
    expect(await captureLeft(source)).toBe(0);
    const items = await itemsAt(app, source);
    expect([...items.values()].some((i) => i.title === "tampered")).toBe(false);
    // Served and writable from the source.
    await createItem(owner, projectId, "still here");
    expect((await itemsAt(app, source)).size).toBe(13);
  });
});

describe("the switch", () => {
  it("makes a write sent while writes are paused wait, then lands it on the target, never on the source", async () => {
    const { org, owner, projectId } = await orgWithItems("pause", "DATABASE");
    const source = await placementOf(app, org);
    let pending: Promise<{ id: string }> | undefined;
    let settled = false;
    let settledWhilePaused: boolean | undefined;
    await moveOrganization(
      {
        ...app.lifecycle,
        whilePaused: async () => {
          pending = createItem(owner, projectId, "sent while paused");
          void pending.then(() => (settled = true));
          await new Promise((resolve) => setTimeout(resolve, 500));
          // Read at the end of the pause: once it ends the write may finish before the move returns.
          settledWhilePaused = settled;
        },
      },
      { slug: org.slug, tier: "SHARED" },
    );
    expect(settledWhilePaused).toBe(false);
    const item = await pending!;
    const moved = await placementOf(app, org);
    expect(moved.tier).toBe("SHARED");
    expect((await itemsAt(app, moved)).get(item.id)?.title).toBe("sent while paused");
    expect((await itemsAt(app, source)).has(item.id)).toBe(false);
  });
});

describe("catch-up", () => {
  it("applies renames whose unique live names collide within one batch (one row at a time)", async () => {
    const org = await app.provisionOrg("renames", { tier: "SCHEMA" });
    const owner = await memberOf(app, org, "OWNER");
    const rename = async (project: { id: string; version: number }, name: string) => {
      const r = dataOf(
        await app.graphql(op("UpdateProject"), {
          token: owner.token,
          variables: { input: { id: project.id, version: project.version, name } },
        }),
      );
      project.version = r.updateProject.version;
    };
    // Changes are applied in key order: b (the lower id) will take "alpha" from a in one batch.
    const [b, a] = [await newProject(app, owner.token, "p1"), await newProject(app, owner.token, "p2")].sort((x, y) =>
      x.id < y.id ? -1 : 1,
    );
    await rename(a!, "alpha");
    await rename(b!, "gamma");
    const renameDuringMove = async (step: MoveStep) => {
      if (step !== "catch up") return;
      await rename(a!, "tmp");
      await rename(b!, "alpha");
      await rename(a!, "beta");
    };
    await moveOrganization({ ...app.lifecycle, beforeStep: renameDuringMove }, { slug: org.slug, tier: "DATABASE" });
    const moved = await placementOf(app, org);
    const names = await withPlacementSession(
      moved,
      app.servers,
      async (c) => (await c.query("SELECT id, name FROM projects WHERE org_id = $1", [org.id])).rows,
    );
    expect(new Map(names.map((r) => [r.id, r.name]))).toEqual(
      new Map([
        [a!.id, "beta"],
        [b!.id, "alpha"],
      ]),
    );
  });
});
