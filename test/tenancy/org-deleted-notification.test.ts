// `tenantgraph orgs delete` runs in another process: running servers hear of it through the
// central database (LISTEN/NOTIFY) and drop their cached clients of that organization, so
// they hold no connection to it, also when their listening connection had been killed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCentralClient, type CentralDb, type Organization } from "../../src/data/central-client.ts";
import { CentralListener, notifyCentral, type Subscribable } from "../../src/data/central-notifications.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { deleteOrganization } from "../../src/lifecycle/delete-org.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
/** The "CLI process": its own central client, no access to the app's cache. */
let cli: CentralDb;
beforeAll(async () => {
  app = await startTestApp();
  cli = createCentralClient(app.servers.main!);
});
afterAll(async () => {
  await cli?.$disconnect();
  await app?.close();
});

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function warm(org: Organization, token: string) {
  const r = await app.graphql(`{ projectsConnection(first: 100) { totalCount } }`, { token, orgId: org.id });
  expect(r.errors).toBeUndefined();
  expect(app.orgClients.hasOrg(org.id)).toBe(true);
}

const connectionsTo = (database: string) =>
  withAdminClient(async (c) =>
    Number((await c.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [database])).rows[0].n),
  );

/** A delete from the "CLI" that stops after it stopped routing (so the organization's database still exists). */
async function deleteButKeepData(org: Organization) {
  const stopBeforeData = (step: string) => {
    if (step === "remove data") throw new Error("paused before removing data");
  };
  await expect(
    deleteOrganization({ central: cli, servers: app.servers, onStep: stopBeforeData }, org.slug),
  ).rejects.toThrow(/paused/);
}

describe("orgs delete from another process", () => {
  it("makes the running app drop its warm clients of that organization and close their connections", async () => {
    const database = await app.provisionOrg("notified-db");
    const shared = await app.provisionOrg("notified-shared", { tier: "SHARED" });
    const bystander = await app.provisionOrg("notified-bystander");
    const user = await app.createUser([
      [database, "OWNER"],
      [shared, "OWNER"],
      [bystander, "OWNER"],
    ]);
    const token = await app.token(user.id);
    for (const org of [database, shared, bystander]) await warm(org, token);
    expect(await connectionsTo(database.databaseName)).toBeGreaterThan(0);

    await deleteButKeepData(database);
    await until(() => !app.orgClients.hasOrg(database.id), "the app dropped the deleted organization's client");
    await until(
      async () => (await connectionsTo(database.databaseName)) === 0,
      "no connection to the deleted organization's database",
    );
    await deleteButKeepData(shared);
    await until(() => !app.orgClients.hasOrg(shared.id), "the app dropped the SHARED organization's client");

    expect(app.orgClients.hasOrg(bystander.id)).toBe(true);
    expect(
      (await app.graphql(`{ projectsConnection(first: 100) { totalCount } }`, { token, orgId: bystander.id })).errors,
    ).toBeUndefined();
    await deleteOrganization({ central: cli, servers: app.servers }, database.slug);
  });

  it("still arrives after the app's listening connection was killed (it reconnects and checks what it missed)", async () => {
    const org = await app.provisionOrg("notified-after-reconnect");
    const missed = await app.provisionOrg("deleted-while-deaf");
    const user = await app.createUser([
      [org, "OWNER"],
      [missed, "OWNER"],
    ]);
    const token = await app.token(user.id);
    await warm(org, token);
    await warm(missed, token);
    // A deletion whose event this app never heard (marked deleted without a notification).
    await cli.organization.update({ where: { id: missed.id }, data: { state: "DELETED" } });
    await new Promise((r) => setTimeout(r, 200));
    expect(app.orgClients.hasOrg(missed.id)).toBe(true);
    const resynced = new Promise<void>((resolve) => app.centralEvents.subscribe("resync", () => resolve()));
    const central = new URL(app.servers.main!).pathname.slice(1);
    const killed = await withAdminClient(
      async (c) =>
        (
          await c.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tenantgraph-listener'",
            [central],
          )
        ).rowCount,
    );
    expect(killed).toBe(1);
    await resynced;
    expect(app.centralEvents.listening).toBe(true);
    await until(
      () => !app.orgClients.hasOrg(missed.id),
      "the organization deleted while not listening was dropped after the reconnect",
    );
    expect(app.orgClients.hasOrg(org.id)).toBe(true);
    await deleteOrganization({ central: cli, servers: app.servers }, org.slug);
    await until(() => !app.orgClients.hasOrg(org.id), "dropped after the reconnect");
  });
});

describe("CentralListener", () => {
  it("delivers typed events only when the transaction commits, and stops after unsubscribe", async () => {
    const listener = new CentralListener(app.servers.main!);
    await listener.start();
    const seen: Subscribable[] = [];
    const unsubscribe = listener.subscribe("org-deleted", (e) => void seen.push(e));
    try {
      await withPgClient(app.servers.main!, async (c) => {
        await c.query("BEGIN");
        await notifyCentral(c, { type: "org-deleted", orgId: "00000000-0000-0000-0000-00000000000a" });
        await c.query("ROLLBACK");
        await c.query("BEGIN");
        await notifyCentral(c, { type: "org-deleted", orgId: "00000000-0000-0000-0000-00000000000b" });
        await c.query("COMMIT");
        // Someone else's payload on our channel is ignored, not a crash.
        await c.query("SELECT pg_notify('tenantgraph_org_events', '{not json')");
      });
      await until(() => seen.length > 0, "the committed event");
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([{ type: "org-deleted", orgId: "00000000-0000-0000-0000-00000000000b" }]);
      unsubscribe();
      await notifyCentral(cli, { type: "org-deleted", orgId: "00000000-0000-0000-0000-00000000000c" });
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toHaveLength(1);
    } finally {
      await listener.close();
    }
  });

  it("lets in-flight requests finish before a dropped client is closed", async () => {
    const org = await app.provisionOrg("drop-while-borrowed");
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    let dropped = false;
    const dropping = app.orgClients.drop(org.id).then(() => (dropped = true));
    expect(app.orgClients.hasOrg(org.id)).toBe(false);
    expect(await lease.db.project.count()).toBe(0); // still usable by its borrower
    expect(dropped).toBe(false);
    lease.release();
    await dropping;
    expect(dropped).toBe(true);
  });
});
