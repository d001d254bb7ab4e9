// The estimated cost of one operation, the measure MAX_COST (src/http/operation-limits.ts)
// and a per-organization cost rate limit share. Fields declare their cost through the Pothos
// complexity plugin (`complexity` field option; the default for every field is
// src/graphql/field-complexity.ts): a number, or { field, multiplier }, or a function of the
// field's arguments. The sum follows the plugin's own rule (a field's cost plus its
// selection's cost times its multiplier), but this walk reads the arguments with graphql's
// own coercion instead of Pothos's argument mappers: those run the validation plugin, which
// must not run before authorization (and whose failure would hide the cost).
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from "graphql";

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The variables do not fit the operation: execution would refuse it whole, before any resolver. */
export class OperationVariablesError extends Error {
  override name = "OperationVariablesError";
}

type Complexity =
  | number
  | { field?: number; multiplier?: number }
  | ((
      args: Record<string, unknown>,
      ctx: unknown,
      field: GraphQLField<unknown, unknown>,
    ) => number | { field?: number; multiplier?: number });

/**
 * The estimated cost of the operation `operationName` (or the first one) of a valid document
 * with these variables. Throws OperationVariablesError when the variables do not fit.
 */
export function operationCost(input: CostInput): number {
  const key = rememberedKey(input);
  const costs = key === undefined ? undefined : rememberedFor(input.schema, input.document);
  const known = key === undefined ? undefined : costs?.get(key);
  if (known !== undefined) return known;
  const cost = computeCost(input);
  if (costs && key !== undefined) {
    if (costs.size >= REMEMBERED_PER_DOCUMENT) costs.delete(costs.keys().next().value!);
    costs.set(key, cost);
  }
  return cost;
}

// A client sends the same few documents with the same few variables again and again, and
// Yoga's parse cache hands out the same DocumentNode for the same text: their costs are
// remembered per document (weakly: they go with the document), for its operation and
// variables, unless the variables are large. A refusal (OperationVariablesError) is not.
const REMEMBERED_PER_DOCUMENT = 32;
const MAX_REMEMBERED_VARIABLES_CHARS = 2048;
const remembered = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();

function rememberedKey({ variables, operationName }: CostInput): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(variables ?? {});
  } catch {
    return undefined;
  }
  return json.length > MAX_REMEMBERED_VARIABLES_CHARS ? undefined : `${operationName ?? ""}\u0000${json}`;
}

function rememberedFor(schema: GraphQLSchema, document: DocumentNode): Map<string, number> {
  let documents = remembered.get(schema);
  if (!documents) remembered.set(schema, (documents = new WeakMap()));
  let costs = documents.get(document);
  if (!costs) documents.set(document, (costs = new Map()));
  return costs;
}

function computeCost({ schema, document, variables, operationName }: CostInput): number {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(
    schema,
    (operation.variableDefinitions ?? []) as VariableDefinitionNode[],
    variables ?? {},
    { maxErrors: 1 },
  );
  if (coerced.errors) throw new OperationVariablesError(coerced.errors[0]!.message);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // A fragment spread many times (or fragments spreading fragments) is costed once per type.
  const memo = new Map<SelectionSetNode, Map<string, number>>();

  const selectionCost = (selectionSet: SelectionSetNode, type: GraphQLNamedType): number => {
    const known = memo.get(selectionSet)?.get(type.name);
    if (known !== undefined) return known;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field) {
          total += 1; // __typename, __schema, __type
          continue;
        }
        let complexity = field.extensions.complexity as Complexity | undefined;
        if (typeof complexity === "function") {
          let args: Record<string, unknown>;
          try {
            args = getArgumentValues(field, selection, coerced.coerced);
          } catch {
            total += 1; // arguments execution refuses: this field resolves nothing below it
            continue;
          }
          complexity = complexity(args, undefined, field as GraphQLField<unknown, unknown>);
        }
        const own = typeof complexity === "number" ? complexity : (complexity?.field ?? 1);
        const multiplier =
          typeof complexity === "object" && complexity.multiplier !== undefined
            ? complexity.multiplier
            : isListType(getNullableType(field.type))
              ? 10
              : 1;
        total +=
          own +
          (selection.selectionSet
            ? selectionCost(selection.selectionSet, getNamedType(field.type)) * Math.max(multiplier, 0)
            : 0);
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        total += selectionCost(fragment.selectionSet, condition ?? type);
      }
    }
    if (!memo.has(selectionSet)) memo.set(selectionSet, new Map());
    memo.get(selectionSet)!.set(type.name, total);
    return total;
  };
  return selectionCost(operation.selectionSet, root);
}
