// Audit records that operators' commands leave in an organization's own audit log (export,
// import, creation, support access), written over the administrative connection of
// withOrgData (src/lifecycle/org-data.ts), in the transaction of the work they record.
import type pg from "pg";
import type { AuditChange } from "../braid/audit-log.ts";

export interface OperatorAuditEntry {
  action: string;
  orgId: string;
  /** The operator (CLI) or null for the user who asked through the API. */
  operator?: string | null;
  /** The user acting (the creating owner, the user impersonated). */
  actorId?: string | null;
  impersonator?: string | null;
  targetType?: string;
  targetId?: string;
  changes?: AuditChange[];
  requestId?: string | null;
  clientIp?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one record; `client` is a withOrgData connection (search path and app.org_id set). */
export async function appendOperatorAudit(client: pg.ClientBase, entry: OperatorAuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO audit_events (org_id, action, operator, actor_id, impersonator, target_type, target_id, changes, request_id, client_ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::jsonb)`,
    [
      entry.orgId,
      entry.action,
      entry.operator ?? null,
      entry.actorId ?? null,
      entry.impersonator ?? null,
      entry.targetType ?? "organization",
      entry.targetId ?? entry.orgId,
      JSON.stringify(entry.changes ?? []),
      entry.requestId ?? null,
      entry.clientIp ?? null,
      entry.details ? JSON.stringify(entry.details) : null,
    ],
  );
}
