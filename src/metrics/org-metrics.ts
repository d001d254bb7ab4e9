// The per-organization metrics. Their `org` label is a slug only for the few organizations
// OrgLabels picks (org-labels.ts), else "other"; histograms get few buckets, since their
// series multiply by the labelled organizations.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const ORG_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5];

export function orgMetrics(registers: Registry[]) {
  return {
    requests: new Counter({
      name: "tenantgraph_org_requests_total",
      help: "GraphQL operations per organization (slug for labelled organizations, else other)",
      labelNames: ["org"] as const,
      registers,
    }),
    errors: new Counter({
      name: "tenantgraph_org_errors_total",
      help: "GraphQL errors per organization by extensions.code",
      labelNames: ["org", "code"] as const,
      registers,
    }),
    duration: new Histogram({
      name: "tenantgraph_org_request_duration_seconds",
      help: "GraphQL operation duration per organization",
      labelNames: ["org"] as const,
      buckets: ORG_SECONDS,
      registers,
    }),
    cost: new Counter({
      name: "tenantgraph_org_operation_cost_total",
      help: "Estimated operation cost (the MAX_COST measure) charged per organization",
      labelNames: ["org"] as const,
      registers,
    }),
    overThreshold: new Gauge({
      name: "tenantgraph_org_over_threshold",
      help: "1 while an organization is over a threshold (labelled organizations only)",
      labelNames: ["org", "threshold"] as const,
      registers,
    }),
    countOverThreshold: new Gauge({
      name: "tenantgraph_orgs_over_threshold",
      help: "Organizations over each threshold",
      labelNames: ["threshold"] as const,
      registers,
    }),
  };
}
