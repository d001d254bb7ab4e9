// Operations compiled to JavaScript by graphql-jit, behind the same schema, plugins and error
// masking. graphql-js interprets the operation for every request (about 1,700 field
// resolutions for a page of 20 projects x 10 items); a compiled operation runs a plain function
// generated once per parsed document, which cost a fifth less CPU per request here (README
// "Performance"). Yoga's parse cache hands out the same document object for the same text, so
// compiled operations are kept per document and go with it.
//
// Where graphql-jit answers differently from graphql-js, graphql-js answers:
// - a document is compiled on its second execution only, so one-off operations (and anyone
//   sending endless distinct documents) cost no compilation;
// - a document graphql-jit cannot compile, and a request it refuses before executing (invalid
//   variable values: graphql-js words those errors), run through graphql-js; nothing has run
//   yet, so running it there is safe for mutations too;
// - errors raised while executing become graphql-js GraphQLErrors with the same path,
//   locations and original error, so masking and error codes (mask-error.ts) see what they
//   would have seen.
//
// Queries are compiled with their plain column leaves read inline (src/graphql/inlined-columns.ts);
// one whose row lacked such a column (an inlined leaf found null) is answered by graphql-js.
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import {
  getLocation,
  getOperationAST,
  GraphQLError,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type SourceLocation,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { compileWithInlinedColumns, missedInlinedColumn } from "../graphql/inlined-columns.ts";

/** A compiled operation; `inlinedColumns`: compiled by compileWithInlinedColumns (a query). */
type Runnable = { query: CompiledQuery; inlinedColumns: boolean };

/** Per operation name: "seen" after its first execution, then the compiled operation, or null where graphql-jit refused. */
type Compiled = Map<string, "seen" | Runnable | null>;

/**
 * What graphql-jit's own error objects carry. They pass `instanceof GraphQLError` but are built
 * by another constructor: no extensions object, and locations instead of the field nodes that
 * masking builds its error from. Every one is rebuilt with the nodes it points at.
 */
type JitError = Pick<GraphQLError, "message" | "path" | "locations" | "originalError" | "extensions">;

function asGraphQLError(error: JitError, document: DocumentNode): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error as GraphQLError;
  return new GraphQLError(error.message, {
    nodes: fieldNodesAt(document, error.locations ?? []),
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** The fields of `document` that start at these locations (only ever asked for a failed request). */
function fieldNodesAt(document: DocumentNode, locations: readonly SourceLocation[]): FieldNode[] {
  const found: FieldNode[] = [];
  if (locations.length === 0) return found;
  visit(document, {
    Field(node) {
      if (!node.loc) return;
      const { line, column } = getLocation(node.loc.source, node.loc.start);
      if (locations.some((l) => l.line === line && l.column === column)) found.push(node);
    },
  });
  return found;
}

export interface CompiledExecutionOptions {
  /** Called when a document's operation is compiled (true) or graphql-jit refused it (false). */
  onCompile?(operationName: string, compiled: boolean): void;
}

export function useCompiledExecution(options: CompiledExecutionOptions = {}): Plugin {
  // Per server: a document is compiled against the schema of the server that parsed it.
  const compiledDocuments = new WeakMap<DocumentNode, Compiled>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operationName = args.operationName ?? "";
      let compiled = compiledDocuments.get(args.document);
      if (!compiled) compiledDocuments.set(args.document, (compiled = new Map()));
      let query = compiled.get(operationName);
      if (query === undefined) {
        compiled.set(operationName, "seen"); // the first execution: graphql-js
        return;
      }
      if (query === "seen") {
        const operation = getOperationAST(args.document, args.operationName);
        const inlinedColumns = operation?.operation === "query";
        const compile = inlinedColumns ? compileWithInlinedColumns : compileQuery;
        const result = compile(args.schema, args.document, args.operationName ?? undefined);
        query = isCompiledQuery(result) ? { query: result, inlinedColumns } : null;
        compiled.set(operationName, query);
        options.onCompile?.(operation?.name?.value ?? "", query !== null);
      }
      if (!query) return;
      const { query: run, inlinedColumns } = query;
      setExecuteFn(async (executionArgs) => {
        const result = (await run.query(
          executionArgs.rootValue,
          executionArgs.contextValue,
          executionArgs.variableValues,
        )) as ExecutionResult;
        if (!result.errors?.length) return result;
        if (!("data" in result)) return executeFn(executionArgs); // refused before executing
        // A row without an inlined leaf's column: graphql-js's reader completes it (a query, so running again is safe).
        if (inlinedColumns && result.errors.some((error) => missedInlinedColumn(executionArgs.schema, error)))
          return executeFn(executionArgs);
        const errors = (result.errors as readonly JitError[]).map((e) => asGraphQLError(e, executionArgs.document));
        return { ...result, errors };
      });
    },
  };
}
