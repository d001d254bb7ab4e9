// Authentication: a Bearer token becomes ctx.user. A bad, expired or unsigned token is
// refused outright (401 UNAUTHENTICATED). Without a token ctx.user is null; which fields
// need a user is said once, by the schema's auth scopes (src/graphql/builder.ts: every root
// field but those with `skipTypeScopes`). An anonymous operation that asks for any other root
// field is refused here, from that same declaration, before anything executes: no resolver
// runs (signUp next to a refused field included) and the response has no data.
import type { Plugin } from "graphql-yoga";
import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { appError, notSignedIn } from "../errors.ts";
import type { RequestContext } from "../graphql/context.ts";
import { InvalidTokenError, type TokenVerifier } from "./verify-token.ts";

export function useAuth(verify: TokenVerifier): Plugin<RequestContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const header = context.request.headers.get("authorization");
      if (!header) {
        extendContext({ user: null, requestedOrgId: null, impersonation: null });
        return;
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match) throw appError("UNAUTHENTICATED", "Authorization must be: Bearer <token>");
      let identity;
      try {
        identity = await verify(match[1]!);
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        context.log?.info({ reason: error.message }, "token refused");
        throw appError("UNAUTHENTICATED", "invalid or expired token");
      }
      // A support-access token acts for its own organization only: X-Org-Id cannot pick another.
      const orgHeader = context.request.headers.get("x-org-id")?.trim().toLowerCase();
      if (identity.actor && orgHeader && orgHeader !== identity.orgId)
        throw appError("FORBIDDEN", "a support-access token acts only for the organization it was issued for");
      extendContext({
        user: { id: identity.userId, sessionId: identity.sessionId ?? null },
        requestedOrgId: identity.orgId ?? null,
        impersonation: identity.actor ?? null,
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as RequestContext).user) return;
      if (!runsWithoutUser(args.schema, args.document, args.operationName))
        setResultAndStopExecution({ errors: [notSignedIn()] });
    },
  };
}

/** Introspection, and root fields declared with `skipTypeScopes` (Pothos keeps field options in extensions). */
function runsWithoutUser(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return false;
  const fields = root.getFields();
  // Only plain fields count: a fragment at the top could hide anything.
  return operation.selectionSet.selections.every((selection) => {
    if (selection.kind !== Kind.FIELD) return false;
    const options = fields[selection.name.value]?.extensions.pothosOptions as { skipTypeScopes?: boolean } | undefined;
    return selection.name.value.startsWith("__") || options?.skipTypeScopes === true;
  });
}
