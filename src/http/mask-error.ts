// What clients see of an error. Our own GraphQL errors (with extensions.code) pass through;
// an organization database that went away becomes TENANT_UNAVAILABLE; everything else is
// logged with the request id and masked as INTERNAL_SERVER_ERROR with no internal detail.
import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { maskError as yogaMaskError, type MaskError } from "graphql-yoga";
import type { Logger } from "pino";
import { ErrorCode } from "../errors.ts";

// Connection-level failures: the server is down, restarting, failing over, or the database
// is gone; also an organization schema or table that is not there (dropped, being moved:
// tables only ever come from migrations, so a missing one is the data's absence).
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE",
  "57P01", "57P02", "57P03", "3D000", "3F000", "42P01", "53300", "08000", "08003", "08006",
  "P1000", "P1001", "P1002", "P1003", "P1017", "P2021",
]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TableDoesNotExist"]);
/** pg's own errors when the server goes away mid-query (they carry no SQLSTATE). */
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|terminating connection due to administrator command)/;
// Values only a client supplies (ids, cursors) that the database cannot read as a uuid,
// number or date, or that Prisma refuses for their type: the input is at fault.
const MALFORMED_INPUT_CODES = new Set(["22P02", "22007", "22008", "P2023", "P2007"]);

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8) {
    chain.push(current);
    // Prisma keeps the driver adapter's error (with PostgreSQL's SQLSTATE) in meta.driverAdapterError.
    const link = current as { originalError?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    const next = link.originalError ?? link.cause ?? link.meta?.driverAdapterError;
    if (next === current) break;
    current = next;
  }
  return chain;
}

export function isUnreachable(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, kind, originalCode, message } = e as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown };
    return (
      UNREACHABLE_CODES.has(String(code)) ||
      UNREACHABLE_CODES.has(String(originalCode)) ||
      UNREACHABLE_KINDS.has(String(kind)) ||
      (typeof message === "string" && CONNECTION_LOST.test(message))
    );
  });
}

function isMalformedInput(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, originalCode, name } = e as { code?: unknown; originalCode?: unknown; name?: unknown };
    return MALFORMED_INPUT_CODES.has(String(code)) || MALFORMED_INPUT_CODES.has(String(originalCode)) || name === "PrismaClientValidationError";
  });
}

export function createMaskError(logger: Logger): MaskError {
  return (error, message) => {
    const located = error instanceof GraphQLError ? error : undefined;
    if (isUnreachable(error)) {
      logger.warn({ err: error }, "organization database unreachable");
      return new GraphQLError("the organization's data is temporarily unavailable", {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: "TENANT_UNAVAILABLE", retryable: true, http: { status: ErrorCode.TENANT_UNAVAILABLE } },
      });
    }
    if (isMalformedInput(error)) {
      // Logged below error level: a client sent it, nothing is wrong with the server.
      logger.info({ err: error, path: located?.path }, "malformed id or cursor refused");
      return new GraphQLError("an id or cursor is malformed", {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: "BAD_USER_INPUT", http: { status: ErrorCode.BAD_USER_INPUT } },
      });
    }
    // Pothos refuses some arguments itself (a negative `first`, `before` with `first`): input errors.
    const pothos = causes(error).find((e): e is PothosValidationError => e instanceof PothosValidationError);
    if (pothos && !pothos.extensions.code) {
      // Its message may quote the input (a cursor of any size): keep it short.
      return new GraphQLError(pothos.message.length > 120 ? `${pothos.message.slice(0, 120)}...` : pothos.message, {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: "BAD_USER_INPUT", http: { status: ErrorCode.BAD_USER_INPUT } },
      });
    }
    const masked = yogaMaskError(error, message, false);
    if (masked !== error) logger.error({ err: error, path: located?.path }, "internal error (masked)");
    return masked;
  };
}

/**
 * The logger Yoga gets. Yoga logs every error that maskError changed at error level, which
 * would log input mistakes (BAD_USER_INPUT) and unavailable organizations as errors, and
 * internal errors twice: maskError above logs each at its level, so Yoga's copy goes to debug.
 */
export function yogaLogger(logger: Logger) {
  return {
    debug: (...args: unknown[]) => logger.debug({ yoga: args }, "yoga"),
    info: (...args: unknown[]) => logger.info({ yoga: args }, "yoga"),
    warn: (...args: unknown[]) => logger.warn({ yoga: args }, "yoga"),
    error: (...args: unknown[]) => logger.debug({ err: args[0] }, "yoga error (logged by maskError at its level)"),
  };
}
