// An organization query that ran into the statement timeout (ORG_STATEMENT_TIMEOUT_MS,
// PostgreSQL's statement_timeout on every organization connection; isQueryTimeout in
// data/database-errors.ts recognises it). Clients get QUERY_TIMEOUT (503, retryable): the
// connection is free again and the same request may well succeed later.
import { GraphQLError } from "graphql";
import { ErrorCode } from "../errors.ts";

export function queryTimeoutError(located: GraphQLError | undefined): GraphQLError {
  return new GraphQLError("the query took too long and was cancelled; try again, or ask for less (smaller pages)", {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "QUERY_TIMEOUT", retryable: true, http: { status: ErrorCode.QUERY_TIMEOUT } },
  });
}
