// How database failures look from above: which errors (pg, Prisma's driver adapter, the
// socket) mean the database cannot be reached, and which mean a client's value could not be
// read. Only this layer knows those codes; the HTTP layer asks and maps them to client codes.

// Connection-level failures: the server is down, restarting, failing over, or the database
// is gone; also an organization schema or table that is not there (dropped, being moved:
// tables only ever come from migrations, so a missing one is the data's absence).
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "3D000",
  "3F000",
  "42P01",
  "53300",
  "08000",
  "08003",
  "08006",
  "P1000",
  "P1001",
  "P1002",
  "P1003",
  "P1017",
  "P2021",
  // A move's fence (isMovedAway below) when the request could not be retried on the new placement.
  "TGMV1",
]);
const UNREACHABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TableDoesNotExist",
]);
/** pg's own errors when the server goes away mid-query (they carry no SQLSTATE). */
const CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|terminating connection due to administrator command)/;
// Values only a client supplies (ids, cursors) that the database cannot read as a uuid,
// number or date, or that Prisma refuses for their type: the input is at fault.
const MALFORMED_INPUT_CODES = new Set(["22P02", "22007", "22008", "P2023", "P2007"]);

/** The error and everything it wraps: GraphQL's originalError, `cause`, and Prisma's driver-adapter error (meta.driverAdapterError, which keeps PostgreSQL's SQLSTATE). */
export function causes(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.length < 12) {
    const current = pending.shift();
    if (!current || typeof current !== "object" || seen.includes(current)) continue;
    seen.push(current);
    const link = current as { originalError?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    pending.push(link.originalError, link.cause, link.meta?.driverAdapterError);
  }
  return seen;
}

/**
 * The organization moved to another placement and its old one refused the write (SQLSTATE
 * TGMV1, raised by a move's fence: src/lifecycle/move-capture.ts). Nothing was written; the
 * request can run again on the new placement.
 */
export function isMovedAway(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, originalCode } = e as { code?: unknown; originalCode?: unknown };
    return code === MOVED_AWAY || originalCode === MOVED_AWAY;
  });
}
const MOVED_AWAY = "TGMV1";

/** PostgreSQL cancelled the statement (SQLSTATE 57014): the statement timeout ran out. */
export function isQueryTimeout(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, originalCode } = e as { code?: unknown; originalCode?: unknown };
    return code === "57014" || originalCode === "57014";
  });
}

export function isUnreachable(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, kind, originalCode, message } = e as {
      code?: unknown;
      kind?: unknown;
      originalCode?: unknown;
      message?: unknown;
    };
    return (
      UNREACHABLE_CODES.has(String(code)) ||
      UNREACHABLE_CODES.has(String(originalCode)) ||
      UNREACHABLE_KINDS.has(String(kind)) ||
      (typeof message === "string" && CONNECTION_LOST.test(message))
    );
  });
}

export function isMalformedInput(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, originalCode, name } = e as { code?: unknown; originalCode?: unknown; name?: unknown };
    return (
      MALFORMED_INPUT_CODES.has(String(code)) ||
      MALFORMED_INPUT_CODES.has(String(originalCode)) ||
      name === "PrismaClientValidationError"
    );
  });
}

/** No pooled connection came free in time (Prisma's P2028 when starting a transaction). */
export function isConnectionWaitExceeded(error: unknown): boolean {
  return causes(error).some((e) => (e as { code?: unknown }).code === "P2028");
}
