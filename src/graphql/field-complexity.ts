// What one field costs in an operation's cost estimate (Pothos complexity plugin, see
// src/http/operation-limits.ts for where the estimate is checked). A field costs 1; the
// cost of its selection is multiplied by how many objects it can return:
// - a Relay connection by its `first` or `last` argument (default page size 20, capped at
//   100 like the prisma plugin's connections); its `edges` and `nodes` then multiply by 1,
//   since the page size was already counted once on the connection field;
// - any other list (the deprecated unpaginated `projects`, `Project.items`, ...) by
//   PLAIN_LIST_MULTIPLIER, a guess at a typical list's length.
// Nested lists multiply: `projectsConnection(first: 100) { edges { node { itemsConnection(first: 100) ...`
// costs about 100 x 100 x (the item selection).
import { getNamedType, getNullableType, isListType, isObjectType, type GraphQLField } from "graphql";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const PLAIN_LIST_MULTIPLIER = 20;

type FieldComplexityValue = number | { field?: number; multiplier?: number };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyField = GraphQLField<unknown, any, any>;

function isConnectionType(field: AnyField): boolean {
  const type = getNamedType(field.type);
  return (
    isObjectType(type) &&
    type.name.endsWith("Connection") &&
    "edges" in type.getFields() &&
    "pageInfo" in type.getFields()
  );
}

function pageSize(args: Record<string, unknown>): number {
  const requested =
    typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(requested, 0), MAX_PAGE_SIZE);
}

export function fieldComplexity(args: Record<string, unknown>, _ctx: unknown, field: AnyField): FieldComplexityValue {
  if (isConnectionType(field)) return { field: 1, multiplier: pageSize(args) };
  if (isListType(getNullableType(field.type))) {
    // A connection's edges/nodes: the page size is already on the connection field.
    const parentIsConnection = field.name === "edges" || field.name === "nodes";
    return { field: 1, multiplier: parentIsConnection ? 1 : PLAIN_LIST_MULTIPLIER };
  }
  return 1;
}
