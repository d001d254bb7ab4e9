// Authentication: a Bearer token becomes ctx.user. A bad, expired or unsigned token is
// refused outright (401 UNAUTHENTICATED). Without a token ctx.user is null; which fields
// need a user is said once, by the schema's auth scopes (src/graphql/builder.ts).
import type { Plugin } from "graphql-yoga";
import { appError } from "../errors.ts";
import type { RequestContext } from "../graphql/context.ts";
import { InvalidTokenError, type TokenVerifier } from "./verify-token.ts";

export function useAuth(verify: TokenVerifier): Plugin<RequestContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const header = context.request.headers.get("authorization");
      if (!header) {
        extendContext({ user: null, requestedOrgId: null });
        return;
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) throw appError("UNAUTHENTICATED", "Authorization must be: Bearer <token>");
      try {
        const identity = await verify(match[1]!);
        extendContext({ user: { id: identity.userId }, requestedOrgId: identity.orgId ?? null });
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        context.log?.info({ reason: error.message }, "token refused");
        throw appError("UNAUTHENTICATED", "invalid or expired token");
      }
    },
  };
}
