// Authentication: a Bearer token becomes ctx.user. A bad, expired or unsigned token is
// refused outright (401 UNAUTHENTICATED). Without a token only introspection runs (so
// GraphiQL can load the schema before a header is pasted) and the root fields marked
// `extensions: { allowAnonymous: true }` (signUp, logIn); any other field needs a user.
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode } from "graphql";
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
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as RequestContext;
      if (!context.user && !isAnonymousOperation(args.schema, args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [appError("UNAUTHENTICATED", "sign in: send Authorization: Bearer <token>")] });
      }
    },
  };
}

function isAnonymousOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation === "subscription") return false;
  const root = operation.operation === "query" ? schema.getQueryType() : schema.getMutationType();
  const fields = root?.getFields() ?? {};
  // Only plain fields count: a fragment at the top could hide anything.
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value.startsWith("__") || fields[s.name.value]?.extensions.allowAnonymous === true),
  );
}
