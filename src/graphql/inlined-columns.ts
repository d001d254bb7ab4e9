// Operations compiled with their plain column leaves read inline. graphql-jit compiles a field
// without a resolver to a read of its parent's property; a field with one becomes a call that
// builds, for every row and field, a response path through every ancestor, a resolve-info
// object and three closures (a third of the bytes a page of 20 projects x 10 items allocated,
// and about a tenth of its CPU). The leaves readColumnsDirectly gave a direct reader
// (leaf-resolvers.ts) need nothing but that read when their row has the column.
//
// So those resolvers are set aside while graphql-jit compiles an operation and put back at
// once: the compilation is synchronous, so nothing else sees the schema meanwhile, and
// graphql-js, introspection and later compilations find the resolvers where they were.
//
// Only non-null leaves whose column has the field's own name are inlined. A row loaded without
// the column (which the reader would have completed) then reads null, graphql-jit reports
// "Cannot return null for non-nullable field Type.field.", missedInlinedColumn recognizes it,
// and the caller answers with graphql-js instead (src/http/use-compiled-execution.ts; queries
// only, which may run twice).
import { compileQuery, type CompiledQuery, type CompilerOptions } from "graphql-jit";
import {
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLField,
  type GraphQLSchema,
} from "graphql";
import { columnReadBy } from "./leaf-resolvers.ts";

type AnyField = GraphQLField<unknown, unknown>;

/** Per schema: its inlinable leaves, and their coordinates ("Type.field"). */
const inlinable = new WeakMap<GraphQLSchema, { fields: AnyField[]; coordinates: Set<string> }>();

function inlinableLeaves(schema: GraphQLSchema) {
  let found = inlinable.get(schema);
  if (!found) {
    found = { fields: [], coordinates: new Set() };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        if (columnReadBy(field.resolve) !== field.name || !isNonNullType(field.type)) continue;
        found.fields.push(field);
        found.coordinates.add(`${type.name}.${field.name}`);
      }
    }
    inlinable.set(schema, found);
  }
  return found;
}

/** graphql-jit's compileQuery, with the schema's plain column leaves read inline. */
export function compileWithInlinedColumns(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string,
  options?: Partial<CompilerOptions>,
): CompiledQuery | ExecutionResult {
  const { fields } = inlinableLeaves(schema);
  const resolvers = fields.map((field) => field.resolve);
  for (const field of fields) field.resolve = undefined;
  try {
    return compileQuery(schema, document, operationName, options);
  } finally {
    fields.forEach((field, i) => (field.resolve = resolvers[i]));
  }
}

const NULL_LEAF = /^Cannot return null for non-nullable field ([_A-Za-z]\w*\.[_A-Za-z]\w*)\.$/;

/** Whether `error` says an inlined leaf of `schema` found no value: its row was loaded without the column. */
export function missedInlinedColumn(schema: GraphQLSchema, error: { message: string }): boolean {
  const coordinate = NULL_LEAF.exec(error.message)?.[1];
  return coordinate !== undefined && inlinableLeaves(schema).coordinates.has(coordinate);
}
