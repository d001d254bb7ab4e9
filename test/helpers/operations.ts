// The operations tests send are the ones in operations/*.graphql, the same documents
// `npm run codegen` types for clients: op("CreateProject") is that operation's text with the
// fragments it uses, ready for app.graphql().
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type DefinitionNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse, print, visit } from "graphql";

const DIR = path.resolve(import.meta.dirname, "../../operations");

const definitions: DefinitionNode[] = readdirSync(DIR)
  .filter((file) => file.endsWith(".graphql"))
  .flatMap((file) => parse(readFileSync(path.join(DIR, file), "utf8")).definitions);

const fragments = new Map(
  definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
);
const operations = new Map(
  definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((d) => [d.name!.value, d]),
);

function fragmentsUsedBy(node: DefinitionNode, found = new Set<string>()): Set<string> {
  visit(node, {
    FragmentSpread(spread) {
      if (found.has(spread.name.value)) return;
      found.add(spread.name.value);
      const fragment = fragments.get(spread.name.value);
      if (!fragment) throw new Error(`unknown fragment ${spread.name.value}`);
      fragmentsUsedBy(fragment, found);
    },
  });
  return found;
}

const cache = new Map<string, string>();

export function op(name: string): string {
  let text = cache.get(name);
  if (!text) {
    const operation = operations.get(name);
    if (!operation) throw new Error(`no operation ${name} in operations/*.graphql`);
    text = [operation, ...[...fragmentsUsedBy(operation)].map((f) => fragments.get(f)!)].map((d) => print(d)).join("\n\n");
    cache.set(name, text);
  }
  return text;
}
