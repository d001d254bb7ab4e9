// Limits before work, for every request (anonymous ones included): each is refused before
// parsing, validation or execution work can grow with it, and before the context is built
// (so a refused operation runs no SQL at all, not even the membership check).
//
// - body size: src/http/use-body-limit.ts (413 REQUEST_ENTITY_TOO_LARGE, by Content-Length
//   or while a chunked body streams in; see createGraphQLServer);
// - tokens: the parser stops at maxTokens+1 (GraphQL Armor's token-counting parser);
// - depth, aliases, directives: GraphQL Armor's validation rules;
// - cost: src/http/operation-cost.ts (fields' costs from the Pothos complexity plugin,
//   src/graphql/field-complexity.ts: connections by `first`/`last`, nested lists multiply),
//   computed with the request's variables once the document is valid, then put on the
//   context as `operationCost` for later limits (operationCostOf(context)).
// Every refusal is QUERY_TOO_COMPLEX, HTTP 400, extensions { kind, limit, measured }.
import { MaxTokensParserWLexer } from "@escape.tech/graphql-armor-max-tokens";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { GraphQLError, type DocumentNode, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import { appError } from "../errors.ts";
import { operationCost, OperationVariablesError } from "./operation-cost.ts";
import type { OperationLimits } from "../config.ts";

export { operationCost, type CostInput } from "./operation-cost.ts";

export type { OperationLimits };

export type LimitKind = "tokens" | "depth" | "aliases" | "directives" | "cost";

/** QUERY_TOO_COMPLEX. For tokens, `measured` is a lower bound: parsing stops at limit + 1. */
export function operationTooComplex(kind: LimitKind, limit: number, measured: number | undefined): GraphQLError {
  const found = measured === undefined ? "" : kind === "tokens" ? ` (more than ${limit})` : ` (${measured} > ${limit})`;
  return appError("QUERY_TOO_COMPLEX", `operation over the ${kind} limit${found}`, { kind, limit, measured });
}

/** The cost the limits measured for this request, once its document was validated. */
export function operationCostOf(context: object): number | undefined {
  return (context as { operationCost?: number }).operationCost;
}

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

// Armor's messages end with "found N." when its limits are exposed.
function measuredIn(error: GraphQLError): number | undefined {
  const match = /found (\d+)\.?$/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

function reportAs(kind: LimitKind, limit: number) {
  return {
    n: limit,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(operationTooComplex(kind, limit, measuredIn(error))),
    ],
  };
}

export function useOperationLimits(limits: OperationLimits): Plugin[] {
  const parseWithTokenLimit = (
    source: ConstructorParameters<typeof MaxTokensParserWLexer>[0],
    options?: object,
  ): DocumentNode => {
    try {
      return new MaxTokensParserWLexer(source, { ...options, n: limits.maxTokens } as never).parseDocument();
    } catch (error) {
      if (error instanceof GraphQLError && error.message.includes("Token limit"))
        throw operationTooComplex("tokens", limits.maxTokens, limits.maxTokens + 1);
      throw error;
    }
  };
  const rules = [
    maxDepthRule({ ...reportAs("depth", limits.maxDepth), ignoreIntrospection: true, flattenFragments: true }),
    maxAliasesRule(reportAs("aliases", limits.maxAliases)),
    maxDirectivesRule(reportAs("directives", limits.maxDirectives)),
  ];
  const limitsPlugin: Plugin = {
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit as never);
    },
    // Yoga marks every parse failure as a GraphQL-over-HTTP "spec" error, answered with 200 to
    // plain JSON clients; a limit refused while parsing (tokens) is a 400 like the others.
    // Also: GraphQL Armor hides suggestions in validation errors only; variable values are
    // checked at execution ('Value "RISKK" does not exist in "ItemKind" enum. Did you mean
    // the enum value "RISK"?'), so every answered error loses its suggestion here.
    onResultProcess({ result }) {
      const errors = !Array.isArray(result) && "errors" in result ? result.errors : undefined;
      for (const error of errors ?? []) {
        if (error.extensions?.code === "QUERY_TOO_COMPLEX") Object.assign(error.extensions, { http: { status: 400 } });
        if (error.message.includes("Did you mean"))
          (error as { message: string }).message = error.message.replace(SUGGESTION, "");
      }
    },
    onValidate({ addValidationRule, params, context }) {
      for (const rule of rules) addValidationRule(rule);
      // Refusals are thrown (not setResult): a thrown error carries its HTTP status, and the
      // cost refusal stays out of the validation cache (the cost depends on the variables).
      return ({ valid, result, extendContext }) => {
        if (!valid) {
          // Yoga answers validation errors with 200 to plain JSON clients; a limit is a 400.
          const refusal = result.find((e) => e.extensions?.code === "QUERY_TOO_COMPLEX");
          if (refusal) throw refusal;
          return;
        }
        const { variables, operationName } =
          (context as { params?: { variables?: Record<string, unknown>; operationName?: string } }).params ?? {};
        let cost: number;
        try {
          cost = operationCost({ schema: params.schema, document: params.documentAST, variables, operationName });
        } catch (error) {
          // Variables that do not fit: execution refuses the whole operation before any resolver.
          if (error instanceof OperationVariablesError) return;
          throw error;
        }
        if (cost > limits.maxCost) throw operationTooComplex("cost", limits.maxCost, cost);
        extendContext({ operationCost: cost } as object);
      };
    },
  };
  // Errors are always masked here, so "Did you mean ...?" never helps a client explore the schema.
  return [limitsPlugin, blockFieldSuggestionsPlugin({ mask: "" }) as Plugin];
}
