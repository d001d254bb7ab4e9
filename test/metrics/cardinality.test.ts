// The metrics stay bounded however many organizations and operation names there are: 10,000
// organizations and 1,000 invented operation names produce a handful of label values, the
// totals stay exact (the unlabelled ones count as "other"), and an organization that stops
// being among the busiest loses its series at the next window.
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { parsePrometheus, samplesOf, valueOf } from "../helpers/prometheus.ts";

const ORGS = 10_000;

function newMetrics() {
  return createMetrics({
    knownOperations: new Set(["Projects", "NewProject"]),
    maxOperations: 5,
    orgSlugs: ["vip"],
    topOrgs: 10,
    maxFlaggedOrgs: 3,
    processMetrics: false,
  });
}

const scrape = async (metrics: ReturnType<typeof newMetrics>) => parsePrometheus(await metrics.registry.metrics());
const distinct = (values: string[]) => new Set(values);

describe("label cardinality", () => {
  it("10,000 organizations and 1,000 operation names: few series, exact totals", async () => {
    const metrics = newMetrics();
    for (let i = 0; i < ORGS; i++) {
      const slug = i === 5000 ? "vip" : `org-${i}`;
      metrics.recordOperation({
        operation: metrics.operationLabels.labelFor(i % 10 === 0 ? "Projects" : `Invented${i % 1000}`),
        code: i % 7 === 0 ? "BAD_USER_INPUT" : undefined,
        ms: 3,
        org: { id: `id-${i}`, slug },
        cost: 2,
      });
    }
    const samples = await scrape(metrics);
    const orgs = distinct(samplesOf(samples, "tenantgraph_org_requests_total").map((s) => s.labels.org!));
    // 10 busiest (the first seen, before a window ended) + the configured one + "other".
    expect(orgs.size).toBe(12);
    expect(orgs).toContain("vip");
    expect(orgs).toContain("other");
    expect(valueOf(samples, "tenantgraph_org_requests_total")).toBe(ORGS);
    expect(valueOf(samples, "tenantgraph_org_operation_cost_total")).toBe(2 * ORGS);
    const errorOrgs = distinct(samplesOf(samples, "tenantgraph_org_errors_total").map((s) => s.labels.org!));
    expect(errorOrgs.size).toBeLessThanOrEqual(12);
    const operations = distinct(
      samplesOf(samples, "tenantgraph_graphql_operations_total").map((s) => s.labels.operation!),
    );
    // Projects (known) + 5 admitted names + "other".
    expect(operations.size).toBe(7);
    expect(operations).toContain("Projects");
    expect(operations).toContain("other");
    expect(valueOf(samples, "tenantgraph_graphql_operations_total")).toBe(ORGS);
    // Histogram series per organization: a fixed number of buckets per labelled organization.
    const buckets = samplesOf(samples, "tenantgraph_org_request_duration_seconds_bucket");
    expect(buckets.length).toBe(12 * 7); // 6 bounds + +Inf
    expect(samples.length).toBeLessThan(500);
  });

  it("a new window labels the busiest of the last one; the others' series go away", async () => {
    const metrics = newMetrics();
    const record = (i: number, times: number) => {
      for (let n = 0; n < times; n++)
        metrics.recordOperation({ operation: "Projects", ms: 1, org: { id: `id-${i}`, slug: `org-${i}` }, cost: 1 });
    };
    for (let i = 0; i < ORGS; i++) record(i, 1);
    // Organizations 9000-9009 are the busiest of the window.
    for (let i = 9000; i < 9010; i++) record(i, 5);
    metrics.orgLabels.nextWindow(metrics.orgActivity.rotate().figures);
    record(9000, 1);
    const samples = await scrape(metrics);
    const orgs = distinct(samplesOf(samples, "tenantgraph_org_requests_total").map((s) => s.labels.org!));
    expect(orgs).not.toContain("org-0"); // first seen, no longer among the busiest: series removed
    expect(orgs).toContain("org-9000");
    expect(orgs.size).toBeLessThanOrEqual(12);
  });

  it("flagged organizations are labelled up to their bound", async () => {
    const metrics = newMetrics();
    for (let i = 0; i < 20; i++) metrics.orgLabels.labelFor(`busy-${i}`, `busy-${i}`); // fill the busiest slots
    const flagged = Array.from({ length: 10 }, (_, i) => metrics.orgLabels.flag(`id-${i}`, `org-${i}`));
    expect(flagged.filter(Boolean)).toHaveLength(3);
    expect(metrics.orgLabels.labelFor("id-0", "org-0")).toBe("org-0");
    expect(metrics.orgLabels.labelFor("id-9", "org-9")).toBe("other");
  });
});
