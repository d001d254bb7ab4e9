// `tenantgraph orgs move` as operators run it: a move with a progress line per table and a
// summary, --json, a second run that says it is already there, --abort of a move that stopped,
// --cleanup of the kept source, and wrong arguments refused before any database work.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCentral } from "../../src/data/central-database.ts";
import { createCentralClient, type CentralDb } from "../../src/data/central-client.ts";
import { databaseExists, dropDatabase } from "../../src/data/server-admin.ts";
import { dropTemplates } from "../../src/data/database-templates.ts";
import {
  createScratchDatabase,
  secondServerUrl,
  serverUrl,
  withAdminClient,
  type ScratchDatabase,
} from "../helpers/databases.ts";
import { runCli, type CliResult } from "../helpers/run-cli.ts";

let central: ScratchDatabase;
let db: CentralDb;
const suffix = randomBytes(3).toString("hex");
const slug = `mv-cli-${suffix}`;
const env = () => ({
  ...process.env,
  DATABASE_URL: central.url,
  SERVERS: JSON.stringify({ second: secondServerUrl() }),
  APP_DB_ROLE: `mvcli_${suffix}`,
  APP_DB_PASSWORD: "cli-password",
  HOST_DATABASE_PREFIX: `mvcli_${suffix}`,
  JWT_SECRET: "c".repeat(40),
});
const cli = (...args: string[]): Promise<CliResult> => runCli(args, env());

beforeAll(async () => {
  central = await createScratchDatabase("mvcli_central");
  await migrateCentral(central.url);
  db = createCentralClient(central.url);
});
afterAll(async () => {
  await db?.$disconnect();
  const org = `org_mv_cli_${suffix.replace(/-/g, "_")}`;
  for (const url of [serverUrl(), secondServerUrl()]) {
    for (const name of [org, `mvcli_${suffix}_schemas`, `mvcli_${suffix}_shared`]) await dropDatabase(url, name);
    await dropTemplates(url, `mvcli_${suffix}`);
    for (const role of [`mvcli_${suffix}`, `mvcli_${suffix}_switcher`, org])
      await withAdminClient((c) => c.query(`DROP ROLE IF EXISTS ${role}`), url);
  }
  await central?.drop();
});

describe("tenantgraph orgs move", () => {
  it("refuses wrong arguments before any database work", async () => {
    const noTier = await cli("orgs", "move", slug);
    expect(noTier.code).toBe(1);
    expect(noTier.stderr).toMatch(/--tier is needed/);
    const badTier = await cli("orgs", "move", slug, "--tier", "cloud");
    expect(badTier.code).toBe(1);
    expect(badTier.stderr).toMatch(/must be one of DATABASE, SCHEMA, SHARED/);
  });

  it("moves, says so when run again, keeps the source until --cleanup", { timeout: 120_000 }, async () => {
    expect((await cli("orgs", "create", slug, "--tier", "SHARED")).code).toBe(0);
    const moved = await cli("orgs", "move", slug, "--tier", "database", "--server", "second");
    expect(moved.stderr).toMatch(/copy rows/);
    expect(moved.stderr).toMatch(new RegExp(`${slug} moved to DATABASE on second: .*writes paused \\d+ ms`));
    expect(moved.code).toBe(0);
    const org = await db.organization.findUniqueOrThrow({ where: { slug } });
    expect({ tier: org.tier, server: org.server, state: org.state }).toEqual({
      tier: "DATABASE",
      server: "second",
      state: "READY",
    });
    const again = await cli("orgs", "move", slug, "--tier", "DATABASE", "--server", "second", "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ slug, alreadyMoved: true, to: { tier: "DATABASE" } });
    expect(await db.orgMove.findUnique({ where: { orgId: org.id } })).not.toBeNull();

    // Nothing is due yet (kept 24 hours by default); naming the organization removes its source now.
    const due = await cli("orgs", "move", "--cleanup", "--yes", "--json");
    expect(JSON.parse(due.stdout)).toEqual({ cleaned: [] });
    const cleaned = await cli("orgs", "move", slug, "--cleanup", "--yes");
    expect(cleaned.code).toBe(0);
    expect(cleaned.stderr).toContain(`sources removed: ${slug}`);
    expect(await db.orgMove.findUnique({ where: { orgId: org.id } })).toBeNull();
    expect(await databaseExists(secondServerUrl(), `org_mv_cli_${suffix}`)).toBe(true);
  });

  it("--abort undoes a move that has not switched", { timeout: 60_000 }, async () => {
    const org = await db.organization.findUniqueOrThrow({ where: { slug } });
    // A move that stopped after planning (as a crash would leave it).
    await db.$transaction([
      db.orgMove.create({
        data: {
          orgId: org.id,
          step: "plan",
          sourceTier: org.tier,
          sourceServer: org.server,
          sourceDatabase: org.databaseName,
          sourceSchema: org.schemaName,
          targetTier: "SCHEMA",
          targetServer: "main",
          targetDatabase: `mvcli_${suffix}_schemas`,
          targetSchema: org.databaseName,
        },
      }),
      db.organization.update({ where: { id: org.id }, data: { state: "MOVING" } }),
    ]);
    const other = await cli("orgs", "move", slug, "--tier", "SHARED");
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/in progress: run it again with that target, or --abort it/);
    const aborted = await cli("orgs", "move", slug, "--abort");
    expect(aborted.code).toBe(0);
    const after = await db.organization.findUniqueOrThrow({ where: { slug } });
    expect({ tier: after.tier, state: after.state }).toEqual({ tier: "DATABASE", state: "READY" });
    expect(await db.orgMove.findUnique({ where: { orgId: org.id } })).toBeNull();
  });
});
