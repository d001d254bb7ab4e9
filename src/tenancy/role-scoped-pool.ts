// A SCHEMA-tier organization's view of its server's shared pool. The pool connects as the
// switcher role, which has no rights of its own; every transaction this view runs starts
// with `SET LOCAL ROLE <the organization's role>`, so every statement Prisma sends (single
// operations, batches, interactive transactions, raw SQL) runs as the organization's role,
// and the connection goes back to the pool as the switcher (LOCAL: never a session-level
// switch). A single statement is sent with its BEGIN, role switch and COMMIT in one round trip. It sits below Prisma (handed to PrismaPg as its pool), so no Prisma operation
// can skip it.
//
// PostgreSQL lets a session switch to any role its login role is a member of, and the
// switcher is a member of every schema organization's role. So SQL must not change the
// role itself: this view sends only single data statements (SELECT, INSERT, UPDATE,
// DELETE, WITH, VALUES; no ";") and Prisma's transaction control, and refuses everything
// else (SET ROLE, RESET, SET SESSION AUTHORIZATION, DO, COPY, ...) with 42501 before it
// reaches the server; the host database takes set_config and SQL-running functions away
// from PUBLIC (src/lifecycle/org-roles.ts).
import pg from "pg";
import { queryPipelined } from "../data/pipelined-query.ts";
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

type QueryConfig = string | (pg.QueryConfig & { text: string });

function textOf(query: QueryConfig): string {
  return typeof query === "string" ? query : query.text;
}

function isDataStatement(text: string): boolean {
  return DATA_STATEMENT.test(text) && !text.includes(";");
}

/** A pg.Pool (PrismaPg accepts only pg.Pool instances) that borrows `base`'s connections and runs everything as `role`. */
export function roleScopedPool(base: pg.Pool, role: string): pg.Pool {
  const switchRole = `BEGIN; SET LOCAL ROLE ${quoteIdentifier(role)}`;
  const beginAsRole = [{ text: "BEGIN" }, { text: `SET LOCAL ROLE ${quoteIdentifier(role)}` }];
  const begin = async (client: pg.PoolClient) => {
    const results = (await client.query(switchRole)) as unknown as pg.QueryResult[] | pg.QueryResult;
    return Array.isArray(results) ? results[0]! : results;
  };
  /**
   * One statement in its own transaction, as the role: BEGIN, SET LOCAL ROLE, the statement and
   * COMMIT before one Sync, one round trip (src/data/pipelined-query.ts). After an error the
   * transaction is rolled back; a connection that cannot even do that is marked broken.
   */
  const autocommit = async (client: pg.PoolClient & { broken?: Error }, query: QueryConfig) => {
    try {
      return await queryPipelined(client, beginAsRole, query, [{ text: "COMMIT" }]);
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (client.broken = rollbackError));
      throw error;
    }
  };

  const scoped = new pg.Pool(base.options); // never connects: connect() and query() below borrow from `base`
  scoped.setMaxListeners(0);
  Object.defineProperties(scoped, {
    query: {
      value: async (query: QueryConfig) => {
        if (!isDataStatement(textOf(query))) throw new StatementRefusedError();
        const client: pg.PoolClient & { broken?: Error } = await base.connect();
        // A checked-out client's connection may die at any moment (a terminated backend):
        // without a listener its "error" event would crash the process.
        const onError = (error: Error) => (client.broken = error);
        client.on("error", onError);
        try {
          return await autocommit(client, query);
        } finally {
          client.removeListener("error", onError);
          client.release(client.broken);
        }
      },
    },
    connect: {
      value: async () => {
        const client: pg.PoolClient & { broken?: Error } = await base.connect();
        const onError = (error: Error) => (client.broken = error);
        client.on("error", onError);
        let inTransaction = false;
        const view = {
          on: (event: string, listener: (...args: unknown[]) => void) => (client.on(event as "error", listener), view),
          removeListener: (event: string, listener: (...args: unknown[]) => void) => (
            client.removeListener(event, listener),
            view
          ),
          release: (error?: Error | boolean) => {
            client.removeListener("error", onError);
            client.release(error || client.broken);
          },
          query: async (query: QueryConfig) => {
            const text = textOf(query).trim();
            if (text === "BEGIN") {
              const result = await begin(client);
              inTransaction = true;
              return result;
            }
            if (TRANSACTION_CONTROL.test(text)) {
              if (!inTransaction) throw new StatementRefusedError();
              if (text === "COMMIT" || text === "ROLLBACK") inTransaction = false;
              return client.query(query as pg.QueryConfig);
            }
            if (!isDataStatement(text)) throw new StatementRefusedError();
            return inTransaction ? client.query(query as pg.QueryConfig) : autocommit(client, query);
          },
        };
        return view as unknown as pg.PoolClient;
      },
    },
  });
  return scoped;
}
