// A SCHEMA-tier organization's view of its server's shared pool. The pool connects as the
// switcher role, which has no rights of its own; every transaction this view runs starts
// with `SET LOCAL ROLE <the organization's role>`, so every statement Prisma sends (single
// operations, batches, interactive transactions, raw SQL) runs as the organization's role,
// and the connection goes back to the pool as the switcher (LOCAL: never a session-level
// switch). A single statement is sent with its BEGIN, role switch and COMMIT in one round
// trip. It sits below Prisma (handed to PrismaPg as its pool: src/data/scoped-pool.ts), so no
// Prisma operation can skip it.
//
// PostgreSQL lets a session switch to any role its login role is a member of, and the
// switcher is a member of every schema organization's role. So SQL must not change the
// role itself: this view sends only single data statements (SELECT, INSERT, UPDATE,
// DELETE, WITH, VALUES; no ";") and Prisma's transaction control, and refuses everything
// else (SET ROLE, RESET, SET SESSION AUTHORIZATION, DO, COPY, ...) with 42501 before it
// reaches the server; the host database takes set_config and SQL-running functions away
// from PUBLIC (src/lifecycle/org-roles.ts).
import pg from "pg";
import { scopedPool, type ConnectionScope } from "../data/scoped-pool.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";

const DATA_STATEMENT = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VALUES)\b/i;
const TRANSACTION_CONTROL =
  /^(BEGIN|COMMIT|ROLLBACK|(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) [A-Za-z_][A-Za-z0-9_]*|SET TRANSACTION ISOLATION LEVEL (READ UNCOMMITTED|READ COMMITTED|REPEATABLE READ|SERIALIZABLE))$/;

export class StatementRefusedError extends Error {
  override name = "StatementRefusedError";
  /** insufficient_privilege, as PostgreSQL would say. */
  readonly code = "42501";
  constructor() {
    super("permission denied: only single data statements may run on an organization connection");
  }
}

function isDataStatement(text: string): boolean {
  return DATA_STATEMENT.test(text) && !text.includes(";");
}

/** Transaction control only inside a transaction (BEGIN is the pool's own), and single data statements. */
function refuseOthers(text: string, inTransaction: boolean): void {
  if (TRANSACTION_CONTROL.test(text) ? !inTransaction : !isDataStatement(text)) throw new StatementRefusedError();
}

/**
 * A pg.Pool (scoped-pool.ts) that borrows `base`'s connections and runs everything as `role`;
 * `rewrite` (the SCHEMA tier's inOrganizationSchema) is applied to every statement it lets through.
 */
export function roleScopedPool(base: pg.Pool, role: string, rewrite?: (text: string) => string): pg.Pool {
  const switchRole = `SET LOCAL ROLE ${quoteIdentifier(role)}`;
  const scope: ConnectionScope = {
    begin: `BEGIN; ${switchRole}`,
    // A single statement runs in its own transaction: BEGIN, the switch, the statement and COMMIT in one round trip.
    before: [{ text: "BEGIN" }, { text: switchRole }],
    after: [{ text: "COMMIT" }],
    check: refuseOthers,
    rewrite,
  };
  return scopedPool(base, () => scope);
}
