// What resolvers of organization data hand the service layer: the scope of an authorized
// request. Fields get an OrgContext from their auth scopes (`t.withAuth({ role: ... })`),
// so the organization and the user are known to be there.
import { appendAudit, type AuditEntry } from "../braid/audit-log.ts";
import type { OrgScope } from "../braid/org-scope.ts";
import type { OrgContext } from "./context.ts";

export function orgScope(ctx: OrgContext): OrgScope {
  return {
    db: ctx.db,
    orgId: ctx.org.id,
    actorId: ctx.user.id,
    isMember: async (userId) => (await ctx.accounts.members.membersAmong(ctx.org.id, [userId])).has(userId),
    origin: {
      requestId: ctx.requestId ?? null,
      clientIp: ctx.clientIp ?? null,
      impersonator: ctx.impersonation?.operator ?? null,
    },
  };
}

/**
 * Appends a record to the organization's audit log for a change made elsewhere (memberships
 * and the organization's name live in the central database): the service calls it inside
 * its own transaction, so a record that fails rolls the change back.
 */
export function recordIn(ctx: OrgContext): (entry: AuditEntry) => Promise<void> {
  return (entry) => appendAudit(ctx.db, orgScope(ctx), entry);
}

/** Lists that can include deleted rows: anyone in the organization reads, only admins see the deleted. */
export function readScopes(_parent: unknown, args: { includeDeleted?: boolean | null }) {
  return { role: args.includeDeleted ? "ADMIN" : "VIEWER" } as const;
}
