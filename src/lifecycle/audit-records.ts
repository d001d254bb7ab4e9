// Operators' access to audit records: reading an organization's log (`tenantgraph orgs
// audit`) and pruning records older than the retention (`tenantgraph audit prune`). Both run
// over administrative connections: the request roles can append and read, never delete.
import type { CentralDb, Organization } from "../data/central-client.ts";
import { withOrgData } from "./org-data.ts";

export interface AuditRecordRow {
  id: string;
  at: Date;
  action: string;
  actor_id: string | null;
  operator: string | null;
  impersonator: string | null;
  target_type: string | null;
  target_id: string | null;
  changes: unknown;
  version_before: number | null;
  version_after: number | null;
  request_id: string | null;
  client_ip: string | null;
  details: unknown;
}

type OrgPlacement = Pick<Organization, "id" | "tier" | "server" | "databaseName" | "schemaName">;

/** The organization's newest records first, optionally one action only. */
export function readOrgAudit(
  org: OrgPlacement,
  servers: Record<string, string>,
  { limit, action }: { limit: number; action?: string },
): Promise<AuditRecordRow[]> {
  return withOrgData(org, servers, async (client) => {
    const rows = await client.query<AuditRecordRow>(
      `SELECT id, at, action, actor_id, operator, impersonator, target_type, target_id, changes, version_before,
              version_after, request_id, client_ip, details
         FROM audit_events WHERE org_id = $1 AND ($2::text IS NULL OR action = $2)
        ORDER BY at DESC, id DESC LIMIT $3`,
      [org.id, action ?? null, limit],
    );
    return rows.rows;
  });
}

export interface PruneResult {
  cutoff: Date;
  organizations: Array<{ slug: string; removed: number; error?: string }>;
  central: number;
}

/**
 * Removes records older than `retentionDays` from every organization's log and from the
 * central one. An organization that fails is reported and the others still pruned.
 */
export async function pruneAuditRecords(
  deps: { central: CentralDb; servers: Record<string, string> },
  retentionDays: number,
): Promise<PruneResult> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  const orgs = await deps.central.organization.findMany({ where: { state: "READY" }, orderBy: { slug: "asc" } });
  const organizations: PruneResult["organizations"] = [];
  for (const org of orgs) {
    try {
      const removed = await withOrgData(org, deps.servers, async (client) => {
        const r = await client.query("DELETE FROM audit_events WHERE org_id = $1 AND at < $2", [org.id, cutoff]);
        return r.rowCount ?? 0;
      });
      organizations.push({ slug: org.slug, removed });
    } catch (error) {
      organizations.push({ slug: org.slug, removed: 0, error: error instanceof Error ? error.message : String(error) });
    }
  }
  // The central table's trigger lets a DELETE through only for rows older than the cut-off
  // this transaction names (prisma/central/migrations/*_account_audit_events).
  const central = await deps.central.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('tenantgraph.audit_prune_before', ${cutoff.toISOString()}, true)`;
    return (await tx.accountAuditEvent.deleteMany({ where: { at: { lt: cutoff } } })).count;
  });
  return { cutoff, organizations, central };
}
