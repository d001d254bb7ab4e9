// `tenantgraph orgs move --suggested`: the organizations whose size `orgs stats` suggests
// another tier for (TIER_SCHEMA_FROM_MB=1 here) are planned; --dry-run moves nothing; the real
// run moves them with the move pipeline, leaves the others alone, continues past a failed
// move, reports it and exits 1. Wrong combinations are refused before any database work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { databaseUrlOn } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";
import { removeMoveLeftovers } from "../helpers/moves.ts";
import { cliEnvOf, runCli } from "../helpers/run-cli.ts";

let app: TestApp;
let big: Organization; // SHARED, ~1.6 MB: suggested SCHEMA
let small: Organization; // SHARED, a few kB: suggested SHARED, where it is
let stale: Organization; // SHARED, ~1.6 MB, not at the current schema version: its move fails
let busy: Organization; // SHARED, ~1.6 MB, in the middle of a move an operator started: skipped

/** Projects whose descriptions (random hex, stored uncompressed) make the organization ~1.6 MB. */
async function fill(org: Organization, projects: number, bytes: number) {
  await withAdminClient(
    async (c) => {
      await c.query(
        `INSERT INTO projects (id, org_id, name, description, created_by_id, updated_at)
       SELECT gen_random_uuid(), $1, 'p' || g, (SELECT string_agg(md5(random()::text || g || s), '')
         FROM generate_series(1, $3::int / 32) s), gen_random_uuid(), now()
       FROM generate_series(1, $2::int) g`,
        [org.id, projects, bytes],
      );
    },
    databaseUrlOn(app.servers[org.server]!, org.databaseName),
  );
}

const fingerprint = (org: Organization) =>
  withAdminClient(
    async (c) => {
      if (org.schemaName) await c.query(`SET search_path TO "${org.schemaName}"`);
      const r = await c.query(
        "SELECT count(*)::int AS n, md5(string_agg(description, '' ORDER BY name)) AS sum FROM projects WHERE org_id = $1",
        [org.id],
      );
      return r.rows[0] as { n: number; sum: string };
    },
    databaseUrlOn(app.servers[org.server]!, org.databaseName),
  );

beforeAll(async () => {
  app = await startTestApp({ env: { TIER_SCHEMA_FROM_MB: "1", TIER_DATABASE_FROM_MB: "1000" } });
  big = await app.provisionOrg("big", { tier: "SHARED" });
  small = await app.provisionOrg("small", { tier: "SHARED" });
  stale = await app.provisionOrg("stale", { tier: "SHARED" });
  await fill(big, 5, 320 * 1024);
  await fill(small, 1, 1024);
  await fill(stale, 5, 320 * 1024);
  busy = await app.provisionOrg("busy", { tier: "SHARED" });
  await fill(busy, 5, 320 * 1024);
  await app.central.organization.update({ where: { id: busy.id }, data: { state: "MOVING" } });
  await app.central.organization.update({ where: { id: stale.id }, data: { schemaVersion: "00000000000000_old" } });
}, 120_000);
afterAll(async () => {
  if (app) await removeMoveLeftovers(app);
  await app?.close();
});

const cli = (...args: string[]) =>
  runCli(
    ["orgs", "move", ...args],
    cliEnvOf(app, { TIER_SCHEMA_FROM_MB: "1", TIER_DATABASE_FROM_MB: "1000", LOG_LEVEL: "silent" }),
  );
const placement = async (org: Organization) => app.central.organization.findUniqueOrThrow({ where: { id: org.id } });

describe("tenantgraph orgs move --suggested", () => {
  it("refuses a slug, --tier or --dry-run without --suggested", async () => {
    for (const args of [[big.slug, "--suggested"], ["--suggested", "--tier", "SCHEMA"], ["--dry-run"]]) {
      const refused = await cli(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/--suggested/);
    }
  });

  it("plans with --dry-run, then moves each suggested organization past a failure", { timeout: 180_000 }, async () => {
    const dry = await cli("--suggested", "--dry-run", "--json");
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.moves.map((m: { slug: string }) => m.slug).sort()).toEqual([big.slug, stale.slug].sort());
    expect(plan.moves.find((m: { slug: string }) => m.slug === big.slug)).toMatchObject({
      from: "SHARED",
      to: "SCHEMA",
      server: "main",
    });
    expect(plan.skipped).toEqual([{ slug: busy.slug, reason: expect.stringMatching(/move is in progress/) }]);
    expect((await placement(big)).tier).toBe("SHARED");
    const before = await fingerprint(big);
    expect(before.n).toBe(5);

    const run = await cli("--suggested", "--concurrency", "2");
    expect(run.stderr).toMatch(new RegExp(`${big.slug}: SHARED -> SCHEMA on main \\(1\\.\\d+ MB, \\d+ rows\\)`));
    expect(run.stderr).toMatch(new RegExp(`\\] ${big.slug}: moved on SCHEMA`));
    expect(run.stderr).toMatch(new RegExp(`\\] ${stale.slug}: FAILED: .*run migrate first`));
    expect(run.stderr).toContain("moved 1, failed 1, skipped 1");
    expect(run.code).toBe(1);

    const moved = await placement(big);
    expect({ tier: moved.tier, state: moved.state }).toEqual({ tier: "SCHEMA", state: "READY" });
    expect(await fingerprint(moved)).toEqual(before);
    const untouched = await placement(small);
    expect({ tier: untouched.tier, databaseName: untouched.databaseName }).toEqual({
      tier: "SHARED",
      databaseName: small.databaseName,
    });
    expect((await placement(stale)).tier).toBe("SHARED");
    expect((await placement(stale)).state).toBe("READY");
    expect((await placement(busy)).tier).toBe("SHARED");
  });
});
