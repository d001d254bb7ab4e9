// Compiled queries read plain column leaves inline (src/graphql/inlined-columns.ts): graphql-jit's
// code has no resolver call for them, the schema keeps its resolvers for everyone else, and a
// row loaded without such a column is answered by graphql-js, whose reader completes it.
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { compileWithInlinedColumns, missedInlinedColumn } from "../../src/graphql/inlined-columns.ts";
import { readColumnsDirectly } from "../../src/graphql/leaf-resolvers.ts";
import { schema } from "../../src/graphql/schema.ts";
import { useCompiledExecution } from "../../src/http/use-compiled-execution.ts";

const PAGE = parse(`{ projectsConnection(first: 20) { edges { node { id name
  itemsConnection(first: 20) { edges { node { id kind title status priority createdAt dueDate } } } } } } }`);

/** graphql-jit's generated code (its debug option), where a field with a resolver appears as `<Type><field>Resolver`. */
function compiledSource(compile: typeof compileWithInlinedColumns): string {
  const compiled = compile(schema, PAGE, undefined, { debug: true } as never);
  return (compiled as { __DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation: string })
    .__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation;
}

describe("compileWithInlinedColumns", () => {
  it("compiles non-null column leaves to a read, and leaves the schema's resolvers in place", () => {
    const item = schema.getType("Item") as GraphQLObjectType;
    const before = Object.fromEntries(Object.values(item.getFields()).map((f) => [f.name, f.resolve]));
    const source = compiledSource(compileWithInlinedColumns);
    for (const leaf of [
      "Itemid",
      "Itemkind",
      "Itemtitle",
      "Itemstatus",
      "Itempriority",
      "ItemcreatedAt",
      "Projectname",
    ])
      expect(source, leaf).not.toContain(`${leaf}Resolver`);
    // Nullable leaves (a missing column would be a silent null) and fields with work of their own keep their resolvers.
    expect(source).toContain("ItemdueDateResolver");
    expect(source).toContain("ProjectitemsConnectionResolver");
    expect(Object.fromEntries(Object.values(item.getFields()).map((f) => [f.name, f.resolve]))).toEqual(before);
    expect(item.getFields().title!.resolve).toBeTypeOf("function");
  });

  it("recognizes only its own leaves' null errors", () => {
    expect(missedInlinedColumn(schema, { message: "Cannot return null for non-nullable field Item.title." })).toBe(
      true,
    );
    expect(missedInlinedColumn(schema, { message: "Cannot return null for non-nullable field Item.dueDate." })).toBe(
      false,
    );
    expect(missedInlinedColumn(schema, { message: "Cannot return null for non-nullable field Item.project." })).toBe(
      false,
    );
    expect(
      missedInlinedColumn(schema, { message: "title: Cannot return null for non-nullable field Item.title" }),
    ).toBe(false);
  });
});

describe("a compiled query whose row lacks an inlined column", () => {
  // A select-mode row type as Pothos builds it: `title` exposes the column of the same name,
  // and its own resolver (the prisma plugin's) loads the column when the row was read without it.
  let completions = 0;
  let executions = 0;
  const Row = new GraphQLObjectType({
    name: "Row",
    fields: {
      title: {
        type: new GraphQLNonNull(GraphQLString),
        extensions: { pothosExposedField: "title", pothosPrismaSelect: { title: true } },
        resolve: () => (completions++, "loaded by the fallback"),
      },
    },
  });
  const rowSchema = readColumnsDirectly(
    new GraphQLSchema({
      query: new GraphQLObjectType({
        name: "Query",
        fields: {
          rows: {
            type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Row))),
            resolve: () => (executions++, rows),
          },
        },
      }),
    }),
  );
  let rows: Array<Record<string, string>> = [];
  const yoga = createYoga({ schema: rowSchema, plugins: [useCompiledExecution()], logging: false });
  const ask = async () =>
    (
      await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ rows { title } }" }),
      })
    ).json();

  it("is answered as graphql-js answers it: the reader completes the row", async () => {
    rows = [{ title: "read" }, { title: "read too" }];
    await ask(); // interpreted; compiled from the next one on
    executions = 0;
    expect(await ask()).toEqual({ data: { rows: [{ title: "read" }, { title: "read too" }] } });
    expect([executions, completions]).toEqual([1, 0]);
    rows = [{ title: "read" }, {}];
    expect(await ask()).toEqual({ data: { rows: [{ title: "read" }, { title: "loaded by the fallback" }] } });
    // The compiled run read the leaf inline and found nothing; graphql-js ran it again and its reader completed the row.
    expect([executions, completions]).toEqual([3, 1]);
  });
});
