// What clients see of an error. Our own GraphQL errors (with extensions.code) pass through;
// an organization database that went away becomes TENANT_UNAVAILABLE; everything else is
// logged with the request id and masked as INTERNAL_SERVER_ERROR with no internal detail.
import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { maskError as yogaMaskError, type MaskError } from "graphql-yoga";
import type { Logger } from "pino";
import { ErrorCode } from "../errors.ts";
import { isQueryTimeout, queryTimeoutError } from "./query-timeout.ts";

// Connection-level failures: the server is down, restarting, or the database is gone.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P02", "57P03", "3D000", "53300", "P1000", "P1001", "P1002", "P1003", "P1017"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8) {
    chain.push(current);
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return chain;
}

export function isUnreachable(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, kind, originalCode } = e as { code?: unknown; kind?: unknown; originalCode?: unknown };
    return UNREACHABLE_CODES.has(String(code)) || UNREACHABLE_CODES.has(String(originalCode)) || UNREACHABLE_KINDS.has(String(kind));
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
        extensions: { code: "TENANT_UNAVAILABLE", http: { status: ErrorCode.TENANT_UNAVAILABLE } },
      });
    }
    if (isQueryTimeout(error)) {
      logger.warn({ err: error, path: located?.path }, "organization query hit the statement timeout");
      return queryTimeoutError(located);
    }
    // Pothos refuses some arguments itself (a negative `first`, `before` with `first`): input errors.
    const pothos = causes(error).find((e): e is PothosValidationError => e instanceof PothosValidationError);
    if (pothos && !pothos.extensions.code) {
      return new GraphQLError(pothos.message, {
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
