// Account-level audit records (central table account_audit_events): log-ins and their
// failures, sign-ups, support access started, organizations deleted. Append-only: a trigger
// refuses UPDATE, DELETE and TRUNCATE (prisma/central/migrations/*_account_audit_events).
import type { Prisma } from "../data/generated/central/client.ts";
import type { CentralDb } from "../data/central-client.ts";

export interface AccountEvent {
  /** login.succeeded, login.failed, user.sign_up_requested, session.refresh_token_reused, impersonation.started, organization.deleted */
  action: string;
  userId?: string | null;
  /** The address typed (a failed log-in names no user). */
  email?: string | null;
  orgId?: string | null;
  operator?: string | null;
  requestId?: string | null;
  clientIp?: string | null;
  details?: Record<string, unknown>;
}

/** The central client, or the client of a central transaction the record must commit with. */
export type AccountAuditDb = Pick<CentralDb, "accountAuditEvent">;

export async function recordAccountEvent(db: AccountAuditDb, event: AccountEvent): Promise<void> {
  await db.accountAuditEvent.createMany({
    data: [
      {
        action: event.action,
        userId: event.userId ?? null,
        email: event.email ?? null,
        orgId: event.orgId ?? null,
        operator: event.operator ?? null,
        requestId: event.requestId ?? null,
        clientIp: event.clientIp ?? null,
        details: event.details ? (event.details as Prisma.InputJsonValue) : undefined,
      },
    ],
  });
}

export interface AccountEventPage {
  /** Only this organization's events (support access, deletion). */
  orgId?: string;
  limit: number;
}

/** Newest first. */
export function listAccountEvents(db: Pick<CentralDb, "accountAuditEvent">, { orgId, limit }: AccountEventPage) {
  return db.accountAuditEvent.findMany({
    where: orgId ? { orgId } : {},
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
}
