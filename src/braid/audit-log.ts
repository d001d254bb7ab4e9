// The organization's audit log (table audit_events, with the organization's data): one
// append-only record per change, written with the client of the change's own transaction so
// that the change and its record commit together or not at all. Requests can only INSERT
// and SELECT these rows (APPEND_ONLY_TABLES in src/lifecycle/org-data.ts).
import type { Prisma } from "../data/generated/tenant/client.ts";
import type { TenantDb } from "../data/tenant-client.ts";
import type { OrgScope } from "./org-scope.ts";

/** One changed field: its value before and after (null for a field that did not exist). */
export interface AuditChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface AuditEntry {
  /** "<target type>.<what happened>": project.updated, member.role_changed, impersonated.request, ... */
  action: string;
  targetType?: string;
  targetId?: string;
  changes?: AuditChange[];
  versionBefore?: number | null;
  versionAfter?: number | null;
  details?: Record<string, unknown>;
}

/** The audit delegate of ctx.db or of a transaction client. */
export type AuditDb = Pick<TenantDb, "auditEvent">;

/** Appends one record in `db`'s transaction (or alone, when `db` is ctx.db). */
export async function appendAudit(db: AuditDb, scope: OrgScope, entry: AuditEntry): Promise<void> {
  await db.auditEvent.createMany({
    data: [
      {
        orgId: scope.orgId,
        action: entry.action,
        actorId: scope.actorId,
        impersonator: scope.origin?.impersonator ?? null,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        changes: (entry.changes ?? []).map(jsonChange) as Prisma.InputJsonValue,
        versionBefore: entry.versionBefore ?? null,
        versionAfter: entry.versionAfter ?? null,
        requestId: scope.origin?.requestId ?? null,
        clientIp: scope.origin?.clientIp ?? null,
        details: entry.details ? (entry.details as Prisma.InputJsonValue) : undefined,
      },
    ],
  });
}

/**
 * The fields of `changes` (undefined = left alone) whose value differs from `before`;
 * every given field when there is no `before` (a create).
 */
export function changedFields(before: Record<string, unknown> | null, changes: Record<string, unknown>): AuditChange[] {
  const result: AuditChange[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined || (typeof value === "object" && value !== null && !(value instanceof Date))) continue;
    const old = before ? (before[field] ?? null) : null;
    if (before && sameValue(old, value)) continue;
    result.push({ field, old, new: value });
  }
  return result;
}

function sameValue(a: unknown, b: unknown): boolean {
  return jsonValue(a) === jsonValue(b) || JSON.stringify(jsonValue(a)) === JSON.stringify(jsonValue(b));
}

/** Dates as ISO strings: what JSON keeps of them. */
function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

function jsonChange(change: AuditChange) {
  return { field: change.field, old: jsonValue(change.old), new: jsonValue(change.new) };
}

/** Newest first, then by id: a total order for cursors. */
export const AUDIT_ORDER = [{ at: "desc" }, { id: "desc" }] satisfies Prisma.AuditEventOrderByWithRelationInput[];

export interface AuditFilter {
  actorId?: string | null;
  action?: string | null;
  targetId?: string | null;
  /** Inclusive. */
  from?: Date | null;
  /** Exclusive. */
  to?: Date | null;
}

export function auditWhere(filter: AuditFilter | null | undefined): Prisma.AuditEventWhereInput {
  return {
    ...(filter?.actorId ? { actorId: filter.actorId.toLowerCase() } : {}),
    ...(filter?.action ? { action: filter.action } : {}),
    ...(filter?.targetId ? { targetId: filter.targetId.toLowerCase() } : {}),
    ...(filter?.from || filter?.to
      ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
      : {}),
  };
}

/** The selection (and cursor arguments) the GraphQL layer passes through. */
export type AuditSelection = Omit<Prisma.AuditEventFindManyArgs, "where" | "orderBy">;

/** A page of the organization's records (always narrowed to the scope's organization). */
export function pageAuditEvents(scope: OrgScope, query: AuditSelection, where: Prisma.AuditEventWhereInput) {
  return scope.db.auditEvent.findMany({ ...query, where: { ...where, orgId: scope.orgId }, orderBy: AUDIT_ORDER });
}

export function countAuditEvents(scope: OrgScope, where: Prisma.AuditEventWhereInput) {
  return scope.db.auditEvent.count({ where: { ...where, orgId: scope.orgId } });
}
