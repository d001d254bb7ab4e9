// Every generic of the schema in one place: the context, the scalars, the Prisma types of
// the organization data, the auth scopes and how validation and authorization failures
// become client errors. Resolvers reach organization data only through ctx.db, which the
// prisma plugin also uses (client: ctx => ctx.db), so a resolver cannot pick another org's
// client; central data (users, members, organizations) only through ctx.accounts.
import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import ValidationPlugin from "@pothos/plugin-validation";
import { hasRole, type Role } from "../accounts/roles.ts";
import { appError } from "../errors.ts";
import type PrismaTypes from "../data/generated/pothos-types.ts";
import { getDatamodel } from "../data/generated/pothos-types.ts";
import type { OrgContext, RequestContext, SignedInContext } from "./context.ts";
import { authorizationError } from "./authorization-error.ts";
import { fieldComplexity } from "./field-complexity.ts";
import { isoDateTime } from "./iso-date-time.ts";
import { validationError } from "./validation-error.ts";

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  AuthScopes: {
    /** A valid token. */
    signedIn: boolean;
    /** At least this role in the request's organization. */
    role: Role;
    /** The user may create organizations (users.can_create_orgs). */
    orgCreator: boolean;
  };
  /** What a field's resolver may rely on once its scopes passed (`t.withAuth(...)`). */
  AuthContexts: {
    signedIn: SignedInContext;
    role: OrgContext;
    orgCreator: SignedInContext;
  };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
  };
}>({
  // Authorization runs first, so a caller without the role learns nothing from validation.
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // Tests fail on a resolver that ignores the selection Pothos built for it.
    onUnusedQuery: process.env.VITEST ? "error" : null,
    defaultConnectionSize: 20,
    maxConnectionSize: 100,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // Ids are plain UUIDs; objects are fetched by their own root fields, never by a global id.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      signedIn: ctx.user !== null,
      role: (required) => hasRole(ctx.org?.role, required),
      orgCreator: async () => ctx.user !== null && (await ctx.accounts.users.canCreateOrganizations(ctx.user.id)),
    }),
    unauthorizedError: (_parent, ctx, _info, result) => authorizationError(ctx, result.failure),
  },
  validation: {
    validationError: (failure) => validationError(failure),
  },
  // Only the per-field cost; the limit is checked before execution (src/http/operation-limits.ts).
  complexity: { fieldComplexity },
});

builder.scalarType("DateTime", {
  description: "An ISO-8601 date-time in UTC.",
  serialize: (value) => isoDateTime(value),
  parseValue: (value) => {
    const date = typeof value === "string" ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw appError("BAD_USER_INPUT", "DateTime must be an ISO-8601 string");
    return date;
  },
});

builder.scalarType("Date", {
  description: "A calendar date, YYYY-MM-DD.",
  serialize: (value) => value.toISOString().slice(0, 10),
  parseValue: (value) => {
    const date =
      typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(NaN);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
      throw appError("BAD_USER_INPUT", "Date must be a real date, YYYY-MM-DD");
    return date;
  },
});

// Every root field needs a signed-in user unless it says `skipTypeScopes: true` (signUp,
// logIn); introspection needs none, so GraphiQL loads the schema before a header is pasted.
builder.queryType({ authScopes: { signedIn: true } });
builder.mutationType({ authScopes: { signedIn: true } });
