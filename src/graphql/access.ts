// Guards resolvers call first. They read the request context only.
import { appError } from "../errors.ts";
import type { CurrentOrg, CurrentUser, RequestContext } from "./context.ts";

export function requireUser(ctx: RequestContext): CurrentUser {
  if (!ctx.user) throw appError("UNAUTHENTICATED", "sign in: send Authorization: Bearer <token>");
  return ctx.user;
}

export function requireOrg(ctx: RequestContext): CurrentOrg {
  requireUser(ctx);
  if (!ctx.org) throw appError("BAD_USER_INPUT", "select an organization: send X-Org-Id or use a token with an org claim");
  return ctx.org;
}

/** Lists that can include deleted rows: anyone in the organization reads, only admins see the deleted. */
export function readScopes(_parent: unknown, args: { includeDeleted?: boolean | null }) {
  return { role: args.includeDeleted ? "ADMIN" : "VIEWER" } as const;
}
