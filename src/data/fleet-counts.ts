// The fleet in two cheap grouped queries for the metrics (src/metrics/tenancy-metrics.ts):
// organizations by state and tier, and the migration targets older than this code's tenant
// migrations (routable organizations with their own schema, and SHARED databases, which
// carry the version for all their organizations).
import type { CentralDb } from "./central-client.ts";

export async function fleetCounts(central: CentralDb, requiredVersion: string | null) {
  const required = requiredVersion ?? "";
  const [organizations, behind] = await Promise.all([
    central.$queryRaw<Array<{ state: string; tier: string; count: number }>>`
      SELECT state::text AS state, tier::text AS tier, count(*)::int AS count
      FROM organizations GROUP BY state, tier`,
    central.$queryRaw<Array<{ org: number; shared: number }>>`
      SELECT
        (SELECT count(*)::int FROM organizations
          WHERE state IN ('READY', 'MOVING') AND tier <> 'SHARED'
            AND coalesce(schema_version, '') < ${required}) AS org,
        (SELECT count(*)::int FROM shared_databases WHERE coalesce(schema_version, '') < ${required}) AS shared`,
  ]);
  return { organizations, behind: behind[0] ?? { org: 0, shared: 0 } };
}
