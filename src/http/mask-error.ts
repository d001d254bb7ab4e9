// What clients see of an error. Our own GraphQL errors (with extensions.code) pass through;
// an organization database that went away (data/database-errors.ts) becomes TENANT_UNAVAILABLE; everything else is
// logged once (with the request id and the organization, from the request's scope) and masked as
// INTERNAL_SERVER_ERROR with no internal detail.
import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { maskError as yogaMaskError, type MaskError } from "graphql-yoga";
import type { Logger } from "pino";
import {
  causes,
  isConnectionWaitExceeded,
  isMalformedInput,
  isQueryTimeout,
  isUnreachable,
} from "../data/database-errors.ts";
import { ErrorCode } from "../errors.ts";
import { queryTimeoutError } from "./query-timeout.ts";
import { requestLogger } from "./request-scope.ts";

export function createMaskError(fallback: Logger): MaskError {
  return (error, message) => {
    const logger = requestLogger(fallback);
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
    if (isConnectionWaitExceeded(error)) {
      logger.warn({ err: error, path: located?.path }, "no organization connection came free in time");
      return new GraphQLError("too many requests for this organization's server right now; retry shortly", {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: "TENANT_BUSY", retryable: true, http: { status: ErrorCode.TENANT_BUSY } },
      });
    }
    if (isQueryTimeout(error)) {
      logger.warn({ err: error, path: located?.path }, "organization query hit the statement timeout");
      return queryTimeoutError(located);
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
    debug: (...args: unknown[]) => requestLogger(logger).debug({ yoga: args }, "yoga"),
    info: (...args: unknown[]) => requestLogger(logger).info({ yoga: args }, "yoga"),
    warn: (...args: unknown[]) => requestLogger(logger).warn({ yoga: args }, "yoga"),
    error: (...args: unknown[]) =>
      requestLogger(logger).debug({ err: args[0] }, "yoga error (logged by maskError at its level)"),
  };
}
