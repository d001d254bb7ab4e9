// Provisioning writes O(1) central rows per organization: a SHARED-tier organization joining a
// current shared database rewrites no other organization's row (their xmin, the id of the
// transaction that last wrote a row version, stays as it was) and costs the same number of
// central statements whether 2 or 6 organizations share the database already. A fleet
// migration of the shared database still brings every organization's recorded version along.
// And the central client's query plans serve every organization: provisioning one more
// compiles none (a plan per organization would pile up in Prisma's plan cache).
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { latestVersion, loadMigrations, migrationsDir } from "../../src/data/migrator.ts";
import { migrateFleet } from "../../src/lifecycle/migrate-fleet.ts";
import { provisionOrganization } from "../../src/lifecycle/provision.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
const statements: string[] = [];
let counting = false;

beforeAll(async () => {
  app = await startTestApp({ onCentralQuery: (sql) => counting && statements.push(sql) });
});
afterAll(() => app?.close());

/** Row versions of the SHARED organizations' central rows. */
async function rowVersions(): Promise<Map<string, string>> {
  const rows = await app.central.$queryRaw<Array<{ id: string; xmin: string }>>`
    SELECT id::text, xmin::text FROM organizations WHERE tier = 'SHARED'`;
  return new Map(rows.map((r) => [r.id, r.xmin]));
}

async function provisionCounted(name: string): Promise<string[]> {
  statements.length = 0;
  counting = true;
  try {
    await app.provisionOrg(name, { tier: "SHARED" });
  } finally {
    counting = false;
  }
  return [...statements];
}

/**
 * How many query plans the Prisma clients compile while `work` runs: each compilation is a
 * "query plan cache miss" on Prisma's debug channel (read from globalThis.DEBUG at each call).
 */
async function planCompilations(work: () => Promise<unknown>): Promise<number> {
  const debug = globalThis as { DEBUG?: string };
  const before = debug.DEBUG;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  debug.DEBUG = "prisma:client:clientEngine";
  try {
    await work();
    return warn.mock.calls.filter((args) => args.some((a) => String(a).includes("plan cache miss"))).length;
  } finally {
    debug.DEBUG = before;
    warn.mockRestore();
  }
}

const writes = (sql: string[]) => sql.filter((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s));

describe("provisioning's central writes", () => {
  it("provisions a SHARED organization without rewriting the others' rows, in O(1) statements", async () => {
    await app.provisionOrg("shared-w0", { tier: "SHARED" });
    await app.provisionOrg("shared-w1", { tier: "SHARED" });
    const before = await rowVersions();
    const withTwo = await provisionCounted("shared-w2");
    const after = await rowVersions();
    for (const [id, xmin] of before) expect(after.get(id), `organization ${id} was rewritten`).toBe(xmin);
    expect(after.size).toBe(before.size + 1);

    for (const i of [3, 4, 5]) await app.provisionOrg(`shared-w${i}`, { tier: "SHARED" });
    const withSix = await provisionCounted("shared-w6");
    expect(withSix.length).toBe(withTwo.length);
    // The new organization's row: created, its version recorded, marked READY.
    expect(writes(withSix).length).toBeLessThanOrEqual(3);
    const org = await app.central.organization.findUniqueOrThrow({ where: { slug: app.slugFor("shared-w6") } });
    expect(org.state).toBe("READY");
    expect(org.schemaVersion).toBe(latestVersion(app.lifecycle.migrations!));
  });

  it("still records a shared database's new version on every organization it holds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tenantgraph-migrations-"));
    await cp(migrationsDir("tenant"), dir, { recursive: true });
    await mkdir(path.join(dir, "29990101000000_central_writes"));
    await writeFile(
      path.join(dir, "29990101000000_central_writes", "migration.sql"),
      `CREATE TABLE "notes" ("id" UUID PRIMARY KEY);\n`,
    );
    const migrations = await loadMigrations(dir).finally(() => rm(dir, { recursive: true, force: true }));
    const report = await migrateFleet({ ...app.lifecycle, migrations });
    expect(report.results.filter((r) => r.outcome === "failed")).toEqual([]);
    const shared = await app.central.organization.findMany({ where: { tier: "SHARED" } });
    expect(shared.length).toBeGreaterThanOrEqual(7);
    for (const org of shared) expect(org.schemaVersion).toBe(latestVersion(migrations));
  });

  it("compiles no query plan of its own for each new organization", async () => {
    // With an owner too: the membership-changed event is announced with the new row.
    const provision = async (name: string) =>
      provisionOrganization(app.lifecycle, {
        slug: app.slugFor(name),
        name,
        tier: "SHARED",
        ownerId: (await app.createUser()).id,
      });
    await provision("plans-0");
    await provision("plans-1");
    expect(await planCompilations(async () => (await provision("plans-2"), await provision("plans-3")))).toBe(0);
  });
});
