// Every write to organization data goes through here: the write and its audit record in one
// interactive transaction (every tier supports those), so a write that fails leaves no
// record and a record that cannot be written fails the write. A versioned change reads the
// row first, in the same transaction: the conditional UPDATE then succeeds only on that
// very version, so the old values recorded are the ones the change replaced.
import type { Prisma } from "../data/generated/tenant/client.ts";
import { appendAudit, changedFields, type AuditEntry } from "./audit-log.ts";
import type { OrgScope } from "./org-scope.ts";
import { changeVersioned, type VersionedChange, type VersionedKind } from "./versioned-write.ts";

export type TenantTx = Prisma.TransactionClient;

/** Runs `write` and appends the record it returns, in one transaction; returns what `write` produced. */
export function auditedWrite<T>(
  scope: OrgScope,
  write: (tx: TenantTx) => Promise<{ result: T; audit: AuditEntry }>,
): Promise<T> {
  return scope.db.$transaction(async (tx) => {
    const { result, audit } = await write(tx);
    await appendAudit(tx, scope, audit);
    return result;
  });
}

/** The row as it is, every scalar column (the values a change replaces). */
async function currentRow(tx: TenantTx, what: VersionedKind, id: string, orgId: string) {
  const where = { id, orgId };
  const row = what === "project" ? await tx.project.findFirst({ where }) : await tx.item.findFirst({ where });
  return row as Record<string, unknown> | null;
}

/**
 * A versioned change (versioned-write.ts) recorded as `action` ("item.updated"), with the
 * fields it changed, old and new, and the version before and after.
 */
export function auditedChange(
  scope: OrgScope,
  action: string,
  change: Omit<VersionedChange, "db" | "orgId">,
  details?: Record<string, unknown>,
): Promise<void> {
  return auditedWrite(scope, async (tx) => {
    const before = await currentRow(tx, change.what, change.id, scope.orgId);
    await changeVersioned({ ...change, db: tx, orgId: scope.orgId });
    return {
      result: undefined,
      audit: {
        action,
        targetType: change.what,
        targetId: change.id,
        changes: changedFields(before, change.data as Record<string, unknown>),
        versionBefore: change.version,
        versionAfter: change.version + 1,
        details,
      },
    };
  });
}
