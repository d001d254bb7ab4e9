// Guards resolvers call first. They read the request context only.
import { appError } from "../errors.ts";
import type { CurrentOrg, CurrentUser, RequestContext } from "../tenancy/context.ts";

export function requireUser(ctx: RequestContext): CurrentUser {
  if (!ctx.user) throw appError("UNAUTHENTICATED", "sign in: send Authorization: Bearer <token>");
  return ctx.user;
}

export function requireOrg(ctx: RequestContext): CurrentOrg {
  requireUser(ctx);
  if (!ctx.org) throw appError("BAD_USER_INPUT", "select an organization: send X-Org-Id or use a token with an org claim");
  return ctx.org;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row, so it is simply not found. */
export function isId(value: string): boolean {
  return UUID.test(value);
}
