// /metrics through a running app: Prometheus text a scraper parses, GraphQL operations by name
// and outcome, per-organization figures with bounded labels, tenancy and fleet gauges, cache
// counts registered from outside, and the endpoint's protection (bearer token, separate port).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startMetricsListener } from "../../src/metrics-listener.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { parsePrometheus, samplesOf, valueOf, type Sample } from "../helpers/prometheus.ts";
import { errorOf } from "../helpers/results.ts";

const TOKEN = "metrics-token-0123456789";
let app: TestApp;
let busy: Organization;
let quiet: Organization;
let shared: Organization;
let busyToken: string;
let quietToken: string;
let sharedToken: string;

beforeAll(async () => {
  app = await startTestApp({ env: { METRICS_TOKEN: TOKEN, METRICS_TOP_ORGS: "1", METRICS_MAX_OPERATIONS: "2" } });
  busy = await app.provisionOrg("busy");
  quiet = await app.provisionOrg("quiet");
  shared = await app.provisionOrg("shared", { tier: "SHARED" });
  busyToken = (await memberOf(app, busy, "OWNER")).token;
  quietToken = (await memberOf(app, quiet, "OWNER")).token;
  sharedToken = (await memberOf(app, shared, "OWNER")).token;
});
afterAll(() => app?.close());

async function scrape(): Promise<Sample[]> {
  const r = await app.yoga.fetch("http://test/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/plain");
  return parsePrometheus(await r.text());
}

describe("/metrics", () => {
  it("needs the bearer token when METRICS_TOKEN is set", async () => {
    expect((await app.yoga.fetch("http://test/metrics")).status).toBe(401);
    const wrong = await app.yoga.fetch("http://test/metrics", { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    await scrape();
  });

  it("counts operations by name and outcome, and per organization with its cost", async () => {
    await newProject(app, busyToken, "p1"); // busy is the first organization seen: labelled (METRICS_TOP_ORGS=1)
    for (let i = 0; i < 3; i++) await app.graphql(op("Projects"), { token: busyToken, variables: { first: 5 } });
    await app.graphql(op("Projects"), { token: quietToken, variables: { first: 5 } });
    const refused = await app.graphql(op("Projects"), { token: busyToken, variables: { first: -1 } });
    expect(errorOf(refused).code).toBe("BAD_USER_INPUT");
    const samples = await scrape();
    expect(valueOf(samples, "tenantgraph_graphql_operations_total", { operation: "Projects", outcome: "OK" })).toBe(4);
    expect(
      valueOf(samples, "tenantgraph_graphql_operations_total", { operation: "Projects", outcome: "BAD_USER_INPUT" }),
    ).toBe(1);
    expect(
      valueOf(samples, "tenantgraph_graphql_operation_duration_seconds_count", {
        operation: "Projects",
        outcome: "OK",
      }),
    ).toBe(4);
    expect(valueOf(samples, "tenantgraph_org_requests_total", { org: busy.slug })).toBe(5); // NewProject + 3 + refused
    expect(valueOf(samples, "tenantgraph_org_requests_total", { org: "other" })).toBe(1); // quiet
    expect(samplesOf(samples, "tenantgraph_org_requests_total", { org: quiet.slug })).toEqual([]);
    expect(valueOf(samples, "tenantgraph_org_errors_total", { org: busy.slug, code: "BAD_USER_INPUT" })).toBe(1);
    expect(valueOf(samples, "tenantgraph_org_operation_cost_total", { org: busy.slug })).toBeGreaterThan(0);
    expect(valueOf(samples, "tenantgraph_http_requests_total", { route: "graphql", status: "200" })).toBeGreaterThan(4);
  });

  it("collapses unknown operation names beyond the bound, and unnamed ones", async () => {
    for (const name of ["FirstInvented", "SecondInvented", "ThirdInvented", "FourthInvented"])
      await app.graphql(`query ${name} { me { email } }`, { token: busyToken });
    await app.graphql(`{ me { email } }`, { token: busyToken });
    const samples = await scrape();
    const operations = new Set(
      samplesOf(samples, "tenantgraph_graphql_operations_total").map((s) => s.labels.operation),
    );
    expect(operations).toContain("FirstInvented");
    expect(operations).toContain("SecondInvented");
    expect(operations).not.toContain("ThirdInvented");
    expect(valueOf(samples, "tenantgraph_graphql_operations_total", { operation: "other" })).toBe(2);
    expect(valueOf(samples, "tenantgraph_graphql_operations_total", { operation: "anonymous" })).toBe(1);
  });

  it("reports organization clients, connection budgets, shared pools and the fleet", async () => {
    await app.graphql(op("Projects"), { token: sharedToken, variables: { first: 5 } });
    const samples = await scrape();
    expect(valueOf(samples, "tenantgraph_org_clients_cached")).toBe(3);
    expect(valueOf(samples, "tenantgraph_org_clients_created_total")).toBe(3);
    expect(valueOf(samples, "tenantgraph_org_clients_evicted_total")).toBe(0);
    // The central database's connections (reserved at start: client 10, limits pool 4, LISTEN 1),
    // then each connection as it is opened: at least one per DATABASE-tier client and one of the
    // SHARED pool, at most ORG_POOL_SIZE=2 per client and SHARED_POOL_SIZE=10.
    const used = valueOf(samples, "tenantgraph_connection_budget_used", { server: "main" });
    expect(used).toBeGreaterThanOrEqual(15 + 2 + 1);
    expect(used).toBeLessThanOrEqual(15 + 2 * 2 + 10);
    expect(valueOf(samples, "tenantgraph_connection_budget_capacity")).toBe(80);
    expect(valueOf(samples, "tenantgraph_connection_budget_waiting")).toBe(0);
    expect(
      valueOf(samples, "tenantgraph_shared_pool_connections", { server: "main", kind: "shared", state: "total" }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, "tenantgraph_organizations", { state: "READY", tier: "DATABASE" })).toBe(2);
    expect(valueOf(samples, "tenantgraph_organizations", { state: "READY", tier: "SHARED" })).toBe(1);
    expect(samplesOf(samples, "tenantgraph_migration_targets_behind", { kind: "org" })[0]?.value).toBe(0);
    expect(samplesOf(samples, "tenantgraph_migration_targets_behind", { kind: "shared" })[0]?.value).toBe(0);
    expect(samplesOf(samples, "process_cpu_user_seconds_total")).toHaveLength(1);
    expect(samplesOf(samples, "nodejs_heap_size_used_bytes")).toHaveLength(1);
  });

  it("counts a registered cache's hits and misses at each scrape", async () => {
    let hits = 0;
    app.metrics.registerCacheCounts("placement", () => ({ hits, misses: 2 }));
    hits = 7;
    const samples = await scrape();
    expect(valueOf(samples, "tenantgraph_central_cache_hits_total", { cache: "placement" })).toBe(7);
    expect(valueOf(samples, "tenantgraph_central_cache_misses_total", { cache: "placement" })).toBe(2);
  });

  it("counts the routing cache (placement and membership) of the app's own requests", async () => {
    const samples = await scrape();
    // Earlier tests sent org requests: the first of each organization missed, the later ones hit.
    expect(valueOf(samples, "tenantgraph_central_cache_misses_total", { cache: "routes" })).toBeGreaterThan(0);
    expect(valueOf(samples, "tenantgraph_central_cache_hits_total", { cache: "routes" })).toBeGreaterThan(0);
  });

  it("can be served on a separate listener (METRICS_PORT), with the token", async () => {
    const listener = await startMetricsListener(app.metrics, { port: 0, host: "127.0.0.1", token: TOKEN });
    try {
      const url = `http://127.0.0.1:${listener.port}`;
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/graphql`)).status).toBe(404);
      const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(200);
      expect(valueOf(parsePrometheus(await r.text()), "tenantgraph_org_clients_cached")).toBe(3);
    } finally {
      await listener.close();
    }
  });
});

describe("/metrics with METRICS_PORT, and TENANT_BUSY", () => {
  let other: TestApp;
  beforeAll(async () => {
    // A budget smaller than one organization pool: every DATABASE-tier request is TENANT_BUSY at once.
    other = await startTestApp({
      env: { METRICS_PORT: "0", SERVER_CONNECTION_BUDGET: "1", TENANT_BUSY_WAIT_MS: "0" },
    });
  });
  afterAll(() => other?.close());

  it("is not served on the API's listener when it has its own port", async () => {
    expect((await other.yoga.fetch("http://test/metrics")).status).toBe(404);
  });

  it("counts TENANT_BUSY per server", async () => {
    const org = await other.provisionOrg("budget");
    const { token } = await memberOf(other, org, "OWNER");
    expect(errorOf(await other.graphql(op("Projects"), { token, variables: { first: 5 } })).code).toBe("TENANT_BUSY");
    const samples = parsePrometheus(await other.metrics.registry.metrics());
    expect(valueOf(samples, "tenantgraph_tenant_busy_total", { server: "main" })).toBe(1);
    expect(valueOf(samples, "tenantgraph_graphql_operations_total", { outcome: "TENANT_BUSY" })).toBe(1);
  });
});
