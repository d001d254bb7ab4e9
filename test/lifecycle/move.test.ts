// Moving an organization while a writer keeps changing it through the API: every write is
// acknowledged (none fails, the switch only makes writes wait), the target then holds exactly
// what the acknowledged writes imply (same ids, versions, timestamps), the source is not
// written after the switch, and the organization is served from the target.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moveOrganization } from "../../src/lifecycle/move-org.ts";
import { tableSums, withPlacementSession } from "../../src/lifecycle/move-rows.ts";
import type { Tier } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import {
  itemsAt,
  placementOf,
  removeMoveLeftovers,
  startReader,
  startWriter,
  type ItemState,
} from "../helpers/moves.ts";
import { op } from "../helpers/operations.ts";
import { dataOf } from "../helpers/results.ts";

let app: TestApp;
/** Errors the app logged (masked for clients): shown when a request of a test failed. */
const logged: string[] = [];
beforeAll(async () => {
  app = await startTestApp({ logger: pino({ level: "warn" }, { write: (line: string) => void logged.push(line) }) });
});
afterAll(async () => {
  await removeMoveLeftovers(app);
  await app?.close();
});

/** Every ordered pair of tiers on one server, and moves to the second server (same tier, and across tiers). */
const PAIRS: Array<[Tier, Tier, "main" | "second"]> = [
  ["SHARED", "DATABASE", "main"],
  ["SHARED", "SCHEMA", "main"],
  ["SCHEMA", "DATABASE", "main"],
  ["SCHEMA", "SHARED", "main"],
  ["DATABASE", "SCHEMA", "main"],
  ["DATABASE", "SHARED", "main"],
  ["DATABASE", "DATABASE", "second"],
  ["DATABASE", "SCHEMA", "second"],
];

describe.each(PAIRS)("moving %s -> %s (to server %s) under a concurrent writer", (from, to, server) => {
  it("keeps every acknowledged write, switches, and leaves the source unwritten afterwards", async () => {
    const org = await app.provisionOrg(`mv-${from.slice(0, 2)}-${to.slice(0, 2)}-${server}`.toLowerCase(), {
      tier: from,
    });
    const owner = await memberOf(app, org, "OWNER");
    const project = await newProject(app, owner.token, "Moving");
    const seed = new Map<string, ItemState>();
    for (let i = 0; i < 30; i++) {
      const item = dataOf(
        await app.graphql(op("NewItem"), {
          token: owner.token,
          variables: { input: { projectId: project.id, title: `s${i}` } },
        }),
      ).createItem;
      seed.set(item.id, { title: item.title, version: item.version, deleted: false });
    }
    const source = await placementOf(app, org);
    const sourceTimes = await withPlacementSession(source, app.servers, (c) =>
      c.query("SELECT id, created_at, updated_at FROM items WHERE org_id = $1 ORDER BY id", [org.id]),
    );
    // A neighbour in the same source placement (same database for SCHEMA hosts and SHARED).
    const neighbour = await app.provisionOrg(`nb-${from.slice(0, 2)}-${to.slice(0, 2)}-${server}`.toLowerCase(), {
      tier: from,
    });
    const other = await memberOf(app, neighbour, "OWNER");
    const otherProject = await newProject(app, other.token, "Staying");
    const otherItem = dataOf(
      await app.graphql(op("NewItem"), {
        token: other.token,
        variables: { input: { projectId: otherProject.id, title: "neighbour's" } },
      }),
    ).createItem;
    const writer = startWriter(app, owner.token, project.id, seed);
    const readers = [startReader(app, owner.token), startReader(app, other.token)];
    let sourceAtSwitch: Awaited<ReturnType<typeof tableSums>> | undefined;
    const report = await moveOrganization(
      {
        ...app.lifecycle,
        catchUpBelow: 1_000_000,
        // Let the writer work between steps, so changes arrive during copy and catch-up.
        afterStep: async (step) => {
          await new Promise((resolve) => setTimeout(resolve, 150));
          if (step === "switch")
            sourceAtSwitch = await withPlacementSession(source, app.servers, (c) =>
              tableSums(c, org.id, ["projects", "items", "item_dependencies"]),
            );
        },
      },
      { slug: org.slug, tier: to, server },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // writes after the switch
    await writer.stop();
    await Promise.all(readers.map((r) => r.stop()));

    expect(writer.failures, logged.join("\n")).toEqual([]);
    // Every reader saw its own organization's rows only, before, during and after the switch.
    expect(
      readers.flatMap((r) => r.failures),
      logged.join("\n"),
    ).toEqual([]);
    expect([...readers[0]!.seen].filter((id) => !writer.items.has(id))).toEqual([]);
    expect(readers[0]!.seen.size).toBeGreaterThan(0);
    expect([...readers[1]!.seen]).toEqual([otherItem.id]);
    expect(writer.acknowledged).toBeGreaterThan(5);
    const moved = await placementOf(app, org);
    expect({ tier: moved.tier, server: moved.server, state: moved.state }).toEqual({
      tier: to,
      server,
      state: "READY",
    });
    expect(report.rows.items).toBeGreaterThanOrEqual(30);
    // The target holds exactly what the acknowledged writes imply.
    expect(await itemsAt(app, moved)).toEqual(writer.items);
    // Ids and timestamps kept: the seed rows unchanged by the writer have the same created_at.
    const targetTimes = await withPlacementSession(moved, app.servers, (c) =>
      c.query("SELECT id, created_at FROM items WHERE org_id = $1 ORDER BY id", [org.id]),
    );
    const createdAt = new Map(targetTimes.rows.map((r) => [r.id, r.created_at.getTime()]));
    for (const row of sourceTimes.rows) expect(createdAt.get(row.id)).toBe(row.created_at.getTime());
    // The source was not written after the switch.
    const sourceNow = await withPlacementSession(source, app.servers, (c) =>
      tableSums(c, org.id, ["projects", "items", "item_dependencies"]),
    );
    expect(sourceNow).toEqual(sourceAtSwitch);
    // Served from the target: the API reads what the target holds.
    const page = dataOf(await app.graphql(op("Items"), { token: owner.token, variables: { first: 100 } }));
    expect(page.itemsConnection.totalCount).toBe([...writer.items.values()].filter((i) => !i.deleted).length);
  });
});
