// What `tenantgraph orgs stats` reports per organization: its size where its data lives
// (database size for DATABASE, the schema's relation sizes for SCHEMA, its rows' share of
// each table for SHARED), rows per table, connections now, the recent request figures every
// process wrote (org_activity), the thresholds it is over and the tier its size suggests.
import type pg from "pg";
import type { Organization, Tier } from "../data/central-client.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import type { RecentActivity } from "../data/org-activity-store.ts";
import { withOrgData } from "../lifecycle/org-data.ts";
import type { ThresholdName } from "../metrics/metrics.ts";
import { p99Of } from "../metrics/org-activity.ts";
import type { ObserveConfig } from "../observe-config.ts";

export interface OrgSize {
  storageBytes: number;
  rows: Record<string, number>;
  /** Connections to the organization's own database now; null when it shares pooled connections. */
  connections: number | null;
}

export interface OrgStats extends OrgSize {
  slug: string;
  tier: Tier;
  server: string;
  totalRows: number;
  requestsPerSecond: number;
  /** Share of requests that failed (null: no requests). */
  errorRate: number | null;
  avgMs: number | null;
  p99Ms: number | null;
  over: ThresholdName[];
  suggestedTier: Tier;
}

type Measured = Pick<Organization, "id" | "tier" | "server" | "databaseName" | "schemaName">;

/** Reads the organization's size over one administrative connection to where its data lives. */
export function measureOrg(org: Measured, servers: Record<string, string>): Promise<OrgSize> {
  return withOrgData(org, servers, async (client, tables) => {
    const rows: Record<string, number> = {};
    let sharedBytes = 0;
    for (const table of tables) {
      const name = quoteIdentifier(table);
      rows[table] = await count(client, `SELECT count(*)::bigint AS n FROM ${name} WHERE org_id = $1`, [org.id]);
      if (org.tier === "SHARED" && rows[table] > 0) {
        // Its rows' share of the table (indexes and TOAST included).
        const all = await count(client, `SELECT count(*)::bigint AS n FROM ${name}`, []);
        const bytes = await count(client, `SELECT pg_total_relation_size($1::regclass)::bigint AS n`, [table]);
        sharedBytes += Math.round((bytes * rows[table]) / Math.max(all, 1));
      }
    }
    const storageBytes =
      org.tier === "DATABASE"
        ? await count(client, "SELECT pg_database_size(current_database())::bigint AS n", [])
        : org.tier === "SCHEMA"
          ? await count(
              client,
              `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`,
              [],
            )
          : sharedBytes;
    const connections =
      org.tier === "DATABASE"
        ? await count(
            client,
            "SELECT count(*)::bigint AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            [],
          )
        : null;
    return { storageBytes, rows, connections };
  });
}

async function count(client: pg.ClientBase, sql: string, values: unknown[]): Promise<number> {
  const result = await client.query<{ n: string }>(sql, values);
  return Number(result.rows[0]?.n ?? 0);
}

/** The figures, the thresholds crossed and the suggested tier of a measured organization. */
export function orgStats(
  org: Pick<Organization, "slug" | "tier" | "server">,
  size: OrgSize,
  activity: RecentActivity | undefined,
  seconds: number,
  config: Pick<ObserveConfig, "thresholds" | "tierBySize">,
): OrgStats {
  const totalRows = Object.values(size.rows).reduce((a, b) => a + b, 0);
  const requests = activity?.requests ?? 0;
  const requestsPerSecond = requests / seconds;
  const p99Ms = activity && requests > 0 ? p99Of(activity.latencyBuckets) : null;
  const { thresholds, tierBySize } = config;
  const over: ThresholdName[] = [];
  if (size.storageBytes > thresholds.storageBytes) over.push("storage");
  if (totalRows > thresholds.rows) over.push("rows");
  if (requestsPerSecond > thresholds.requestsPerSecond) over.push("request_rate");
  if (p99Ms !== null && p99Ms > thresholds.p99Ms) over.push("p99");
  return {
    slug: org.slug,
    tier: org.tier,
    server: org.server,
    ...size,
    totalRows,
    requestsPerSecond,
    errorRate: requests > 0 ? activity!.errors / requests : null,
    avgMs: requests > 0 ? activity!.durationMsSum / requests : null,
    p99Ms,
    over,
    suggestedTier: suggestTier(size.storageBytes, tierBySize),
  };
}

/** Small organizations fit the SHARED tier, mid-sized a SCHEMA, large ones a DATABASE of their own. */
export function suggestTier(storageBytes: number, bySize: ObserveConfig["tierBySize"]): Tier {
  if (storageBytes >= bySize.databaseFromBytes) return "DATABASE";
  if (storageBytes >= bySize.schemaFromBytes) return "SCHEMA";
  return "SHARED";
}
