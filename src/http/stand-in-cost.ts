// A STAND-IN for the operation cost of issue 9 §1 (GraphQL Armor / Pothos complexity), used
// only until that measure exists: the number of fields the operation selects, fragments
// expanded (each fragment counted once and multiplied by its uses, so the work is linear in
// the document). It ignores list sizes (`first`), which the real measure must weigh.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/** Counts above this are all "too much" for any budget; the cap keeps the arithmetic exact. */
const MAX_COST = 1_000_000_000;

export function countSelectedFields(document: DocumentNode, operationName?: string | null): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const fragmentCounts = new Map<string, number>();
  const visiting = new Set<string>(); // validation refuses fragment cycles; this only guards the recursion

  const count = (selectionSet: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) total += 1 + count(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet);
      else total += countFragment(selection.name.value);
      if (total >= MAX_COST) return MAX_COST;
    }
    return total;
  };
  const countFragment = (name: string): number => {
    const known = fragmentCounts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    const result = count(fragment.selectionSet);
    visiting.delete(name);
    fragmentCounts.set(name, result);
    return result;
  };
  return count(operation.selectionSet);
}
