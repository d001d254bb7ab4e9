// An organization query that ran into the statement timeout (ORG_STATEMENT_TIMEOUT_MS,
// PostgreSQL's statement_timeout on every organization connection): PostgreSQL cancels it
// with SQLSTATE 57014, which reaches us inside Prisma's error (meta.driverAdapterError.cause)
// wrapped in a GraphQL error. Clients get QUERY_TIMEOUT (503, retryable): the connection is
// free again and the same request may well succeed later.
import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors.ts";

const QUERY_CANCELED = "57014";

export function isQueryTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown }; originalError?: unknown; cause?: unknown };
    if (e.code === QUERY_CANCELED || e.originalCode === QUERY_CANCELED) return true;
    current = e.meta?.driverAdapterError ?? e.originalError ?? e.cause;
  }
  return false;
}

export function queryTimeoutError(located: GraphQLError | undefined): GraphQLError {
  return new GraphQLError("the query took too long and was cancelled; try again, or ask for less (smaller pages)", {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "QUERY_TIMEOUT", retryable: true, http: { status: ErrorCode.QUERY_TIMEOUT } },
  });
}
