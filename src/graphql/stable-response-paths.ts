// One response-path object per position, per request, whichever executor runs the operation.
// The prisma plugin's selection mapper remembers what a parent field's query loaded under
// that field's `info.path` object, and its children find it by walking their own path's
// `prev` links to that very object (identity, not equality). graphql-js shares the links
// above a field between all its children; graphql-jit (src/http/use-compiled-execution.ts)
// builds a fresh chain for every resolver call, so children never found their parent's entry
// and loaded their data again (a second statement per page). This gives every resolver that
// asks the mapper a canonical chain: the same position, the same objects, for the whole request.
import {
  getNamedType,
  isLeafType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";

type Path = GraphQLResolveInfo["path"];
type Key = string | number;

/** Per request (its context object): the first links, and each link's children by key. */
const roots = new WeakMap<object, Map<Key, Path>>();
const children = new WeakMap<Path, Map<Key, Path>>();

function canonical(context: object, path: Path): Path {
  const prev = path.prev && canonical(context, path.prev);
  let siblings = prev ? children.get(prev) : roots.get(context);
  if (!siblings) {
    siblings = new Map();
    if (prev) children.set(prev, siblings);
    else roots.set(context, siblings);
  }
  let link = siblings.get(path.key);
  if (!link) {
    link = { prev, key: path.key, typename: path.typename };
    siblings.set(path.key, link);
  }
  return link;
}

/**
 * Whether a field's resolver asks the selection mapper: the prisma plugin's fields (they carry
 * the selection they need) and root fields (prismaField and prismaConnection record what they
 * loaded). Connection edges and nodes in between need nothing: a canonical path is built with
 * all its ancestors, so the resolvers beneath them still meet the root's links.
 */
function asksMapper(extensions: Record<string, unknown>, rootField: boolean): boolean {
  return rootField || "pothosPrismaSelect" in extensions;
}

/** Wraps the resolvers that may ask the selection mapper so that they see canonical paths. */
export function stabilizeResponsePaths(schema: GraphQLSchema): GraphQLSchema {
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      const rootObject = rootTypes.has(type) && !isLeafType(getNamedType(field.type));
      if (!resolve || !asksMapper(field.extensions ?? {}, rootObject)) continue;
      const stable: GraphQLFieldResolver<unknown, object> = (parent, args, context, info) =>
        resolve(parent, args, context, { ...info, path: canonical(context, info.path) });
      field.resolve = stable;
    }
  }
  return schema;
}
