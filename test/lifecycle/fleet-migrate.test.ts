// Fleet migrations: one organization's failure does not stop the others, is recorded and
// leaves that organization unrouted and untouched (no half-applied migration); a rerun
// after the fix completes. A failing canary stops everything. A no-op run reads the
// central database only.
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { loadMigrations, migrationsDir, type Migration } from "../../src/data/migrator.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { fleetStatus, migrateFleet } from "../../src/lifecycle/migrate-fleet.ts";
import { provisionOrganization } from "../../src/lifecycle/provision.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const NEXT = "29990101000000_gadgets_and_widgets";
let base: Migration[];
let extended: Migration[];
let extendedDir: string;

/** The real tenant migrations plus one that creates two tables (the second can be made to conflict). */
async function extendedMigrations(): Promise<Migration[]> {
  const dir = (extendedDir = await mkdtemp(path.join(tmpdir(), "tenantgraph-migrations-")));
  await cp(migrationsDir("tenant"), dir, { recursive: true });
  await mkdir(path.join(dir, NEXT));
  await writeFile(
    path.join(dir, NEXT, "migration.sql"),
    `CREATE TABLE "gadgets" ("id" UUID PRIMARY KEY, "org_id" UUID NOT NULL);\nCREATE TABLE "widgets" ("id" UUID PRIMARY KEY, "org_id" UUID NOT NULL);\n`,
  );
  return loadMigrations(dir);
}

async function tablesOf(app: TestApp, org: Organization): Promise<string[]> {
  const ds = resolvePlacement(org, app.servers);
  return withPgClient(ds.url, async (c) =>
    (
      await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [
        ds.schema ?? "public",
      ])
    ).rows.map((r) => r.table_name),
  );
}

async function inOrg(app: TestApp, org: Organization, sql: string) {
  const ds = resolvePlacement(org, app.servers);
  await withPgClient(ds.url, async (c) => {
    if (ds.schema) await c.query(`SET search_path TO ${c.escapeIdentifier(ds.schema)}`);
    await c.query(sql);
  });
}

async function routed(app: TestApp, org: Organization, token: string): Promise<string> {
  const r = await app.graphql(`{ currentOrganization { id } }`, { token, orgId: org.id });
  return r.errors?.[0]?.extensions?.code ?? "OK";
}

beforeAll(async () => {
  base = await loadMigrations("tenant");
  extended = await extendedMigrations();
});
afterAll(() => rm(extendedDir, { recursive: true, force: true }));

describe("migrate a fleet past a failing organization", () => {
  let app: TestApp;
  const orgs: Organization[] = [];
  let token: string;

  beforeAll(async () => {
    // The running code needs the extended schema; the organizations start at the base one.
    app = await startTestApp({ tenantMigrations: extended });
    const atBase = { ...app.lifecycle, migrations: base };
    for (const [name, tier] of [
      ["one", "DATABASE"],
      ["two", "DATABASE"],
      ["three", "SCHEMA"],
      ["four", "SHARED"],
      ["five", "DATABASE"],
    ] as const) {
      orgs.push(await provisionOrganization(atBase, { slug: app.slugFor(name), name, tier }));
    }
    const user = await app.createUser(orgs.map((o) => [o, "OWNER"] as const));
    token = await app.token(user.id);
  });
  afterAll(() => app?.close());

  it("does not route organizations whose schema is behind the code", async () => {
    for (const org of orgs) expect(await routed(app, org, token)).toBe("TENANT_UNAVAILABLE");
    const status = await fleetStatus(app.lifecycle);
    expect(status.orgs.map((o) => o.status)).toEqual(Array(5).fill("behind"));
  });

  it("migrates the others, records the failure, and leaves the failing one untouched", async () => {
    const [, two] = orgs as [Organization, Organization];
    await inOrg(app, two, `CREATE TABLE "widgets" ("conflict" int)`);
    const report = await migrateFleet(app.lifecycle, { concurrency: 2, canary: orgs[0]!.slug });
    expect(report.stoppedAtCanary).toBe(false);
    const byLabel = Object.fromEntries(report.results.map((r) => [r.target.label, r]));
    expect(byLabel[two.slug]!.outcome).toBe("failed");
    expect(byLabel[two.slug]!.error).toMatch(new RegExp(`${NEXT}.*widgets`));
    expect(report.results.filter((r) => r.outcome === "migrated")).toHaveLength(4); // 3 org targets + the shared database
    expect(report.results[0]!.target.label).toBe(orgs[0]!.slug); // the canary went first

    // No half-applied migration: "gadgets" (the statement before the conflict) is not there.
    expect(await tablesOf(app, two)).not.toContain("gadgets");
    for (const org of orgs.filter((o) => o !== two))
      expect(await tablesOf(app, org)).toEqual(expect.arrayContaining(["gadgets", "widgets"]));

    const recorded = await app.central.organization.findUniqueOrThrow({ where: { id: two.id } });
    expect(recorded.lastError).toMatch(/widgets/);
    expect(await routed(app, two, token)).toBe("TENANT_UNAVAILABLE");
    for (const org of orgs.filter((o) => o !== two)) expect(await routed(app, org, token)).toBe("OK");
    const status = await fleetStatus(app.lifecycle);
    expect(status.orgs.find((o) => o.slug === two.slug)!.status).toBe("failed");
  });

  it("completes on a rerun after the fix, touching only what was pending", async () => {
    const [, two] = orgs as [Organization, Organization];
    await inOrg(app, two, `DROP TABLE "widgets"`);
    const report = await migrateFleet(app.lifecycle, {});
    expect(report.results.filter((r) => r.outcome === "migrated").map((r) => r.target.label)).toEqual([two.slug]);
    expect(await routed(app, two, token)).toBe("OK");
    expect((await fleetStatus(app.lifecycle)).orgs.every((o) => o.status === "current")).toBe(true);
  });

  it("answers a no-op run from the central database alone", async () => {
    // Point one organization at a database that does not exist: a run that connected would fail.
    const [one] = orgs as [Organization];
    await app.central.organization.update({ where: { id: one.id }, data: { databaseName: "org_nowhere_at_all" } });
    try {
      const report = await migrateFleet(app.lifecycle, {});
      expect(report.results.map((r) => r.outcome)).toEqual(Array(report.results.length).fill("current"));
    } finally {
      await app.central.organization.update({ where: { id: one.id }, data: { databaseName: one.databaseName } });
    }
  });
});

describe("a failing canary", () => {
  let app: TestApp;
  const orgs: Organization[] = [];
  afterAll(() => app?.close());

  it("stops the fleet before anything else is touched", async () => {
    app = await startTestApp({ tenantMigrations: extended });
    const atBase = { ...app.lifecycle, migrations: base };
    for (const name of ["canary", "other-a", "other-b"])
      orgs.push(await provisionOrganization(atBase, { slug: app.slugFor(name), name }));
    await inOrg(app, orgs[0]!, `CREATE TABLE "widgets" ("conflict" int)`);
    const report = await migrateFleet(app.lifecycle, { canary: orgs[0]!.slug });
    expect(report.stoppedAtCanary).toBe(true);
    expect(report.results.map((r) => r.outcome).sort()).toEqual(["failed", "not attempted", "not attempted"]);
    for (const org of orgs.slice(1)) {
      expect(await tablesOf(app, org)).not.toContain("gadgets");
      expect((await app.central.organization.findUniqueOrThrow({ where: { id: org.id } })).schemaVersion).toBe(
        base.at(-1)!.name,
      );
    }
  });
});
