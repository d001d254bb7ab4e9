// Requests made with a support-access token (`tenantgraph impersonate`, ctx.impersonation):
// each one is recorded in the organization's audit log with both identities before it runs
// (action impersonated.request, with the operation's name and root fields), and what the
// token may not do is refused with FORBIDDEN (and recorded as refused):
//  - it reaches the organization's data only: root fields that need a role in the
//    organization (their auth scopes, src/graphql/builder.ts), `me` and
//    `currentOrganization`; not the user's other organizations, sessions or new tokens;
//  - mutations only when the token was made with --write.
import { getOperationAST, Kind, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { appendAudit } from "../braid/audit-log.ts";
import { appError } from "../errors.ts";
import { orgScope } from "../graphql/access.ts";
import type { Impersonation, OrgContext, RequestContext } from "../graphql/context.ts";

/** Signed-in root fields a support session may also use: they name the session's own user and organization. */
const ALSO_ALLOWED = new Set(["me", "currentOrganization"]);

export function useSupportAccess(): Plugin<RequestContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as RequestContext;
      const session = ctx.impersonation;
      if (!session) return;
      const operation = getOperationAST(args.document, args.operationName) ?? undefined;
      const fields = rootFields(operation);
      const refusal = refusalFor(args.schema, operation, fields, session);
      if (ctx.user && ctx.org) {
        await appendAudit(ctx.db, orgScope(ctx as OrgContext), {
          action: "impersonated.request",
          targetType: "operation",
          targetId: operation?.name?.value ?? undefined,
          details: {
            session: session.id,
            operationName: operation?.name?.value ?? null,
            operationType: operation?.operation ?? null,
            fields: fields ?? [],
            write: session.write,
            ...(refusal ? { refused: refusal.message } : {}),
          },
        });
      }
      if (refusal) {
        ctx.log.info({ session: session.id, operator: session.operator }, "support access refused an operation");
        setResultAndStopExecution({ errors: [refusal] });
      }
    },
  };
}

/** The root field names, or undefined when a fragment at the top could hide anything. */
function rootFields(operation: OperationDefinitionNode | undefined): string[] | undefined {
  if (!operation) return undefined;
  const names: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    names.push(selection.name.value);
  }
  return names;
}

function refusalFor(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode | undefined,
  fields: string[] | undefined,
  session: Impersonation,
) {
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root || !fields)
    return appError("FORBIDDEN", "support access runs plain queries and mutations only (no top-level fragments)");
  if (operation.operation === "mutation" && !session.write)
    return appError(
      "FORBIDDEN",
      "this support-access session is read-only: mutations need a token made with `tenantgraph impersonate --write`",
      { supportAccess: "read-only" },
    );
  const rootFieldMap = root.getFields();
  const outside = fields.filter((name) => {
    if (name.startsWith("__") || ALSO_ALLOWED.has(name)) return false;
    const options = rootFieldMap[name]?.extensions.pothosOptions as { authScopes?: unknown } | undefined;
    const scopes = options?.authScopes;
    // A role in the organization (an object naming one, or a function deciding one: readScopes).
    return !(typeof scopes === "function" || (typeof scopes === "object" && scopes !== null && "role" in scopes));
  });
  if (outside.length)
    return appError(
      "FORBIDDEN",
      `support access reaches only the organization's data; refused: ${outside.join(", ")}`,
      { supportAccess: "outside-organization" },
    );
  return undefined;
}
