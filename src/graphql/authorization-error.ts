// What a caller who fails a scope check is told: UNAUTHENTICATED without a valid token,
// BAD_USER_INPUT when the field needs an organization and none was selected, otherwise
// FORBIDDEN naming the role that was needed.
import { AuthScopeFailureType, type AuthFailure } from "@pothos/plugin-scope-auth";
import type { GraphQLError } from "graphql";
import { appError, noOrganization, notSignedIn } from "../errors.ts";
import type { RequestContext } from "./context.ts";

/** The role a failed check asked for, if a role check failed. */
function requiredRole(failure: AuthFailure): string | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return failure.scope === "role" ? String(failure.parameter) : undefined;
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(requiredRole).find(Boolean);
    default:
      return undefined;
  }
}

function failedScope(failure: AuthFailure): string | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return failure.scope;
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(failedScope).find(Boolean);
    default:
      return undefined;
  }
}

export function authorizationError(ctx: RequestContext, failure: AuthFailure): GraphQLError {
  if (!ctx.user) return notSignedIn();
  const role = requiredRole(failure);
  if (role) {
    if (!ctx.org) return noOrganization();
    return appError("FORBIDDEN", `this needs the ${role} role or higher; you are ${ctx.org.role}`, {
      requiredRole: role,
    });
  }
  if (failedScope(failure) === "orgCreator") return appError("FORBIDDEN", "this account may not create organizations");
  return appError("FORBIDDEN", "not allowed");
}
