// Leaves of select-mode prisma objects read their column straight from the row. The prisma
// plugin wraps every field that selects something in a resolver that first looks up, per
// row and path, which query loaded the row (so a row loaded without the column can be
// completed by another query). For a plain exposed column that lookup is most of the cost of
// a page (1,300 leaves for 20 projects x 10 items) and is needed only when the column is
// missing: this reads the column, and falls back to the plugin's resolver only then.
// Fields with auth scopes or arguments keep their resolvers untouched.
import { getNamedType, isLeafType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";

interface PothosFieldExtensions {
  pothosExposedField?: string;
  pothosPrismaSelect?: unknown;
  pothosOptions?: { authScopes?: unknown; grantScopes?: unknown };
}

interface PothosTypeExtensions {
  pothosOptions?: { authScopes?: unknown; grantScopes?: unknown };
}

/** The column each direct reader reads (src/graphql/inlined-columns.ts compiles those leaves to the read alone). */
const columnReads = new WeakMap<GraphQLFieldResolver<never, never>, string>();

/** The column `resolve` reads when it is one of readColumnsDirectly's readers. */
export function columnReadBy(resolve: GraphQLFieldResolver<never, never> | undefined): string | undefined {
  return resolve && columnReads.get(resolve);
}

export function readColumnsDirectly(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const typeOptions = (type.extensions as PothosTypeExtensions).pothosOptions;
    if (typeOptions?.authScopes || typeOptions?.grantScopes) continue;
    for (const field of Object.values(type.getFields())) {
      const extensions = field.extensions as PothosFieldExtensions;
      const column = extensions.pothosExposedField;
      const select = extensions.pothosPrismaSelect as Record<string, unknown> | false | undefined;
      const plain = select && Object.keys(select).length === 1 && select[column ?? ""] === true;
      const scoped = extensions.pothosOptions?.authScopes || extensions.pothosOptions?.grantScopes;
      if (!column || !plain || scoped || field.args.length > 0 || !isLeafType(getNamedType(field.type))) continue;
      const planned = field.resolve!;
      const direct: GraphQLFieldResolver<Record<string, unknown>, unknown> = (row, args, context, info) => {
        const value = row[column];
        // undefined: the row was loaded without this column (null is a loaded NULL).
        return value !== undefined ? value : planned(row, args, context, info);
      };
      field.resolve = direct;
      columnReads.set(direct, column);
    }
  }
  return schema;
}
