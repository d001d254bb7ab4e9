// Per-organization monitoring: sizes measured where each tier keeps the data, rows per
// table, connections, the request figures servers write to the central database, thresholds
// (flagged, reported once, exported as metrics) and the tier each size suggests; and
// `tenantgraph orgs stats` as an operator runs it.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { fleetStats } from "../../src/monitoring/fleet-stats.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { parsePrometheus, valueOf } from "../helpers/prometheus.ts";
import { cliEnvOf, runCli } from "../helpers/run-cli.ts";

const logged: Array<Record<string, unknown>> = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const text of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(text));
    done();
  },
});

let app: TestApp;
let big: Organization; // DATABASE tier, over the rows threshold
let schema: Organization;
let shared: Organization;
let bigToken: string;

beforeAll(async () => {
  app = await startTestApp({
    logger: pino({ level: "warn" }, destination),
    env: {
      ORG_THRESHOLD_ROWS: "3",
      ORG_THRESHOLD_REQUESTS_PER_SECOND: "2",
      ORG_STATS_INTERVAL_SECONDS: "1",
      TIER_SCHEMA_FROM_MB: "1",
      TIER_DATABASE_FROM_MB: "5",
    },
  });
  big = await app.provisionOrg("big");
  schema = await app.provisionOrg("mid", { tier: "SCHEMA" });
  shared = await app.provisionOrg("small", { tier: "SHARED" });
  bigToken = (await memberOf(app, big, "OWNER")).token;
  for (let i = 0; i < 4; i++) await newProject(app, bigToken, `p${i}`);
  await newProject(app, (await memberOf(app, shared, "OWNER")).token, "only");
});
afterAll(() => app?.close());

const crossings = (threshold: string, org: Organization) =>
  logged.filter((l) => l.msg === "organization over a threshold" && l.threshold === threshold && l.orgId === org.id);

describe("per-organization monitoring", () => {
  it("a server writes its figures, flags a request rate over the threshold and logs the crossing once", async () => {
    for (let i = 0; i < 20; i++) await app.graphql(op("Projects"), { token: bigToken, variables: { first: 5 } });
    const deadline = Date.now() + 20_000;
    while (crossings("request_rate", big).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(crossings("request_rate", big)).toHaveLength(1);
    expect(crossings("request_rate", big)[0]).toMatchObject({ orgSlug: big.slug, limit: 2 });
    // More windows while it stays over: no second line.
    for (let i = 0; i < 10; i++) await app.graphql(op("Projects"), { token: bigToken, variables: { first: 5 } });
    await app.orgActivity!.flush();
    await app.orgActivity!.flush();
    expect(crossings("request_rate", big)).toHaveLength(1);
  });

  it("measures each tier where it keeps the data, flags thresholds once and suggests tiers", async () => {
    const crossed: string[] = [];
    const run = () =>
      fleetStats(app.lifecycle, app.config.observe, {
        slugs: [big.slug, schema.slug, shared.slug],
        minutes: 5,
        concurrency: 2,
        onCrossed: (slug, threshold) => crossed.push(`${slug}:${threshold}`),
      });
    const report = await run();
    expect(report.failed).toEqual([]);
    const [bigStats, midStats, smallStats] = [big, schema, shared].map((o) =>
      report.orgs.find((s) => s.slug === o.slug)!,
    );
    expect(bigStats!.rows).toMatchObject({ projects: 4, items: 0 });
    expect(smallStats!.rows).toMatchObject({ projects: 1 });
    expect(midStats!.rows).toMatchObject({ projects: 0 });
    // A database of its own is several MB; a schema and a share of SHARED tables far less.
    expect(bigStats!.storageBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(midStats!.storageBytes).toBeGreaterThan(0);
    expect(midStats!.storageBytes).toBeLessThan(1024 * 1024);
    expect(smallStats!.storageBytes).toBeGreaterThan(0);
    expect(smallStats!.storageBytes).toBeLessThan(midStats!.storageBytes);
    expect(bigStats!.connections).toBeGreaterThanOrEqual(1); // the server's pool
    expect(midStats!.connections).toBeNull();
    expect(bigStats!.requestsPerSecond).toBeGreaterThan(0);
    expect(bigStats!.errorRate).toBe(0);
    expect(bigStats!.p99Ms).toBeGreaterThan(0);
    expect(midStats!.requestsPerSecond).toBe(0);
    expect(bigStats!.over).toContain("rows");
    expect(smallStats!.over).toEqual([]);
    expect(bigStats!.suggestedTier).toBe("DATABASE");
    expect(smallStats!.suggestedTier).toBe("SHARED");
    expect(crossed).toContain(`${big.slug}:rows`);
    // Still over at the next run: not reported again.
    crossed.length = 0;
    await run();
    expect(crossed).not.toContain(`${big.slug}:rows`);
    // The running server exports the flags.
    await app.orgActivity!.flush();
    const samples = parsePrometheus(await app.metrics.registry.metrics());
    expect(valueOf(samples, "tenantgraph_orgs_over_threshold", { threshold: "rows" })).toBe(1);
    expect(valueOf(samples, "tenantgraph_org_over_threshold", { org: big.slug, threshold: "rows" })).toBe(1);
  });

  it("tenantgraph orgs stats prints the table and JSON", { timeout: 120_000 }, async () => {
    const env = cliEnvOf(app, { ORG_THRESHOLD_ROWS: "3", LOG_LEVEL: "silent" });
    const json = await runCli(["orgs", "stats", big.slug, shared.slug, "--json"], env);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.orgs.map((o: { slug: string }) => o.slug)).toEqual([big.slug, shared.slug].sort());
    expect(report.orgs.find((o: { slug: string }) => o.slug === big.slug)).toMatchObject({
      tier: "DATABASE",
      rows: { projects: 4 },
      over: ["rows"],
    });
    const table = await runCli(["orgs", "stats", big.slug], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/SLUG\s+TIER\s+SERVER\s+STORAGE/);
    expect(table.stdout).toContain("projects=4");
    expect(table.stderr).toContain("measuring: 1/1");
    const missing = await runCli(["orgs", "stats", "no-such-org"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no routable organization "no-such-org"');
  });
});
