// Errors clients may see. Everything else is masked by Yoga (see src/http/mask-error.ts).
import { GraphQLError } from "graphql";

export const ErrorCode = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  /** The account must verify its email address first (REQUIRE_VERIFIED_EMAIL). */
  EMAIL_NOT_VERIFIED: 403,
  /** The request's host name belongs to another organization than the token claim or X-Org-Id names. */
  ORG_HOST_MISMATCH: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  TENANT_UNAVAILABLE: 503,
  TENANT_BUSY: 503,
  RATE_LIMITED: 429,
  /** An operation over a limit of src/http/operation-limits.ts (extensions: kind, limit, measured). */
  QUERY_TOO_COMPLEX: 400,
  /** An organization query hit the statement timeout (extensions.retryable). */
  QUERY_TIMEOUT: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCode;

/** A GraphQL error with `extensions.code`; `http.status` is used by Yoga and stripped from the response. */
export function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const retry = RETRYABLE.has(code) ? { retryable: true } : {};
  return new GraphQLError(message, {
    extensions: { code, ...retry, ...extensions, http: { status: ErrorCode[code] } },
  });
}

/** The `extensions.code` of a GraphQL error, if it is one. */
export function codeOf(error: unknown): string | undefined {
  return error instanceof GraphQLError ? (error.extensions.code as string | undefined) : undefined;
}

/** A request without a valid token asked for something that needs one. */
export function notSignedIn(): GraphQLError {
  return appError("UNAUTHENTICATED", "sign in: send Authorization: Bearer <token>");
}

/** A signed-in request asked for organization data without selecting an organization. */
export function noOrganization(): GraphQLError {
  return appError(
    "BAD_USER_INPUT",
    "this needs an organization: send an X-Org-Id header, use a token for one (switchOrganization), or create one (createOrganization)",
  );
}

/** Codes a client may simply retry later (`extensions.retryable: true`). */
export const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["TENANT_UNAVAILABLE", "TENANT_BUSY"]);

/** Input errors name the field at fault. */
export function badUserInput(field: string, message: string): GraphQLError {
  return appError("BAD_USER_INPUT", `${field}: ${message}`, { field });
}

/** A unique constraint refused the write (Prisma's P2002, whichever constraint it was). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
