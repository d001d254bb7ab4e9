// One round trip for a query and the statements that scope it. PostgreSQL's extended protocol
// runs every statement sent before one Sync message in one implicit transaction (unless they
// open an explicit one), so `SELECT set_config('app.org_id', $1, true)` followed by the query,
// then Sync, is one round trip whose setting lasts exactly as long as the query: never a
// session-level setting, and safe behind PgBouncer in transaction pooling mode (the server
// connection is held until the ReadyForQuery that answers the Sync).
//
// node-postgres sends a Sync after every query, so this is a pg Query (a "submittable", the
// way pg-cursor extends it) that writes Parse/Bind/Execute for the statements before and after
// the query and one Sync at the end, and hands only the query's own rows and completion to
// pg's result handling (the others' replies are skipped).
import pg from "pg";

/** A statement run before or after the query; its values are text parameters. */
export interface ScopeStatement {
  text: string;
  values?: string[];
}

/** The parts of pg's Connection a query writes to (see pg/lib/connection.js). */
interface Connection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { text: string; name?: string; types?: unknown[] }): void;
  bind(message: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(message: { portal?: string; rows?: number }): void;
  sync(): void;
}

/** pg.Query's protocol handlers (not in its type declarations). */
interface QueryInternals {
  rows?: number;
  portal: string;
  prepare(connection: Connection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: Connection): void;
  handleEmptyQuery(connection: Connection): void;
}

type QueryConfig = pg.QueryConfig & { callback?: (error: Error | null, result: pg.QueryResult) => void };
const QueryBase = pg.Query as unknown as new (config: QueryConfig) => QueryInternals;

class PipelinedQuery extends QueryBase {
  /** Statements completed so far; the query's own replies come when this equals before.length. */
  private completed = 0;

  constructor(
    config: QueryConfig,
    private readonly before: readonly ScopeStatement[],
    private readonly after: readonly ScopeStatement[],
  ) {
    super(config);
  }

  private get isQueryTurn(): boolean {
    return this.completed === this.before.length;
  }

  submit(connection: Connection): Error | null {
    if (this.rows) return new Error("a pipelined query cannot fetch rows in batches (the rows option)");
    connection.stream.cork?.();
    try {
      for (const statement of this.before) send(connection, statement);
      this.prepare(connection); // Parse/Bind/Describe/Execute of the query, then _getRows below
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /** Called by prepare() after the query's Execute: the statements after it, then the one Sync. */
  _getRows(connection: Connection): void {
    connection.execute({ portal: this.portal });
    for (const statement of this.after) send(connection, statement);
    connection.sync();
  }

  override handleDataRow(message: unknown): void {
    if (this.isQueryTurn) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: Connection): void {
    if (this.isQueryTurn) super.handleCommandComplete(message, connection);
    this.completed++;
  }

  override handleEmptyQuery(connection: Connection): void {
    if (this.isQueryTurn) super.handleEmptyQuery(connection);
    this.completed++;
  }
}

function send(connection: Connection, statement: ScopeStatement): void {
  connection.parse({ text: statement.text, name: "", types: [] });
  connection.bind({ portal: "", statement: "", values: statement.values ?? [] });
  connection.execute({ portal: "", rows: 0 });
}

/**
 * Runs `query` on `client` with `before` and `after` in the same round trip. An error in any of
 * them skips the rest (the implicit transaction rolls back at the Sync; an explicit BEGIN in
 * `before` leaves the connection in a failed transaction, for the caller to roll back).
 */
export function queryPipelined(
  client: pg.ClientBase,
  before: readonly ScopeStatement[],
  query: string | pg.QueryConfig,
  after: readonly ScopeStatement[] = [],
): Promise<pg.QueryResult> {
  const config = typeof query === "string" ? { text: query } : query;
  return new Promise((resolve, reject) => {
    const pipelined = new PipelinedQuery(
      { ...config, callback: (error, result) => (error ? reject(error) : resolve(result)) },
      before,
      after,
    );
    void client.query(pipelined as unknown as pg.QueryConfig);
  });
}
