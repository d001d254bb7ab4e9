// What move tests share: a writer that keeps changing an organization through the API
// (creates, versioned updates, deletes, restores) and remembers what every acknowledged
// write implies, and the organization's item rows as a placement holds them.
import type { Organization } from "../../src/data/central-client.ts";
import { dropDatabase } from "../../src/data/server-admin.ts";
import { cleanUpMove, moveOrganization } from "../../src/lifecycle/move-org.ts";
import type { Placement } from "../../src/data/placement.ts";
import { withPlacementSession } from "../../src/lifecycle/move-rows.ts";
import type { TestApp } from "./app.ts";
import { op } from "./operations.ts";

export interface ItemState {
  title: string;
  version: number;
  deleted: boolean;
}

export interface Writer {
  /** What the acknowledged writes imply, by item id. */
  items: Map<string, ItemState>;
  /** Writes that failed (a move must make none fail). */
  failures: string[];
  acknowledged: number;
  /** The longest a single write took (ms). */
  longestMs: number;
  stop(): Promise<void>;
}

/** Writes through `app` until stopped; each write waits for the previous one. */
export function startWriter(app: TestApp, token: string, projectId: string, seed: Map<string, ItemState>): Writer {
  const items = new Map(seed);
  const writer: Writer = { items, failures: [], acknowledged: 0, longestMs: 0, stop: async () => {} };
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      n++;
      const ids = [...items.keys()];
      const id = ids[(n * 7919) % Math.max(ids.length, 1)];
      const state = id ? items.get(id)! : undefined;
      const started = performance.now();
      let response;
      if (!id || n % 4 === 0) {
        response = await app.graphql(op("NewItem"), { token, variables: { input: { projectId, title: `w${n}` } } });
        const item = response.data?.createItem;
        if (item) items.set(item.id, { title: item.title, version: item.version, deleted: false });
      } else {
        const input = { id, version: state!.version };
        const restore = state!.deleted;
        response = restore
          ? await app.graphql(op("RestoreItem"), { token, variables: { input } })
          : n % 4 === 1
            ? await app.graphql(op("DeleteItem"), { token, variables: { input } })
            : await app.graphql(op("UpdateItem"), { token, variables: { input: { ...input, title: `u${n}` } } });
        const data = response.data as
          Record<string, { title: string; version: number; deletedAt: unknown }> | undefined;
        const item = data && Object.values(data)[0];
        if (item) items.set(id, { title: item.title, version: item.version, deleted: item.deletedAt !== null });
      }
      writer.longestMs = Math.max(writer.longestMs, performance.now() - started);
      if (response.errors) writer.failures.push(JSON.stringify(response.errors));
      else writer.acknowledged++;
    }
  })();
  writer.stop = async () => {
    running = false;
    await loop;
  };
  return writer;
}

/** The organization's items as the placement holds them. */
export async function itemsAt(app: TestApp, placement: Placement): Promise<Map<string, ItemState>> {
  return withPlacementSession(placement, app.servers, async (c) => {
    const r = await c.query<{ id: string; title: string; version: number; deleted: boolean }>(
      "SELECT id, title, version, deleted_at IS NOT NULL AS deleted FROM items WHERE org_id = $1",
      [placement.id],
    );
    return new Map(r.rows.map((row) => [row.id, { title: row.title, version: row.version, deleted: row.deleted }]));
  });
}

/** The organization's central record (its placement). */
export function placementOf(app: TestApp, org: Pick<Organization, "id">) {
  return app.central.organization.findUniqueOrThrow({ where: { id: org.id } });
}

/**
 * Removes what the app's own clean-up cannot see: sources of switched moves (the central
 * record names only the target) and host databases no organization is placed in any more.
 */
export async function removeMoveLeftovers(app: TestApp): Promise<void> {
  const moves = await app.central.orgMove.findMany({ where: { switchedAt: { not: null } }, include: { org: true } });
  for (const move of moves) await cleanUpMove(app.lifecycle, move.org.slug);
  const prefix = app.config.defaults.hostDatabasePrefix;
  for (const url of Object.values(app.servers)) {
    for (const host of [`${prefix}_shared`, `${prefix}_schemas`]) await dropDatabase(url, host);
  }
}

/** Moves the organization to the placement (the source removed at once) and returns its new record. */
export async function moveTo(
  app: TestApp,
  org: Pick<Organization, "id" | "slug">,
  tier: Organization["tier"],
  server: string,
): Promise<Organization> {
  await moveOrganization(app.lifecycle, { slug: org.slug, tier, server, dropSource: true });
  return placementOf(app, org);
}

export interface Reader {
  /** Item ids the reader was shown. */
  seen: Set<string>;
  failures: string[];
  stop(): Promise<void>;
}

/** Pages through the organization's items (deleted ones included) until stopped. */
export function startReader(app: TestApp, token: string): Reader {
  const reader: Reader = { seen: new Set(), failures: [], stop: async () => {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await app.graphql(op("Items"), { token, variables: { first: 100, includeDeleted: true } });
      if (r.errors) reader.failures.push(JSON.stringify(r.errors));
      for (const edge of r.data?.itemsConnection.edges ?? []) reader.seen.add(edge.node.id);
    }
  })();
  reader.stop = async () => {
    running = false;
    await loop;
  };
  return reader;
}
