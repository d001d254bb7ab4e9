// Rate limits and quotas on the request path, counted in the store every process shares
// (src/limits/limit-store.ts). Two kinds:
//  - per field (src/http/field-limits.ts): each execution of a mutation anyone may call without
//    a token (signUp, logIn, refreshSession, requestPasswordReset, resetPassword, verifyEmail:
//    per client IP) and of createOrganization (per user per day) takes a point when its
//    resolver is reached, so 10 aliased signUp fields are 10 sign-ups; a field over its limit
//    fails with RATE_LIMITED and does nothing, the fields before it (mutations run in order)
//    have run.
//  - per organization, after the tenancy plugin verified the membership: one request, then
//    the operation's cost; over either limit the whole operation is refused before it runs.
// A 429 response also carries a Retry-After header (the longest wait among its refusals).
import type { ExecutionArgs, GraphQLFieldResolver, GraphQLSchema } from "graphql";
import { defaultFieldResolver, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { codeOf } from "../errors.ts";
import { consumeOrRefuse } from "../limits/consume.ts";
import type { LimitsConfig } from "../rate-limits-config.ts";
import type { LimitStore } from "../data/limit-store.ts";
import type { OrgQuotas } from "../limits/org-quotas.ts";
import type { RequestContext } from "../graphql/context.ts";
import { clientIp } from "./client-ip.ts";
import { fieldLimits, LIMITED_MUTATIONS, type LimitedMutation } from "./field-limits.ts";
import { operationCost, OperationVariablesError } from "./operation-cost.ts";
import { operationCostOf } from "./operation-limits.ts";

export interface RateLimitsOptions {
  store: LimitStore;
  limits: LimitsConfig;
  orgQuotas: OrgQuotas;
  /**
   * The operation's cost, charged to the organization's budget per minute before it runs.
   * Default: the measure MAX_COST limits (src/http/operation-cost.ts).
   */
  measureCost?: (args: ExecutionArgs) => number;
}

/** What the wrapped resolvers find on the context: this server's per-field limits. */
interface FieldQuotaContext {
  takeFieldQuota?: (fieldName: string) => Promise<void>;
}

type NodeServerContext = { req?: { socket?: { remoteAddress?: string } } };

export function useRateLimits({ store, limits, orgQuotas, measureCost }: RateLimitsOptions): Plugin<RequestContext> {
  const limitsByField = fieldLimits(store, limits);
  const cost = measureCost ?? costOf;
  const retryAfter = new WeakMap<Request, number>();
  const noteRefusal = (request: Request, error: unknown) => {
    const seconds = error instanceof GraphQLError ? error.extensions.retryAfterSeconds : undefined;
    if (typeof seconds === "number") retryAfter.set(request, Math.max(seconds, retryAfter.get(request) ?? 0));
  };

  return {
    onSchemaChange({ schema }) {
      wrapLimitedMutations(schema);
    },
    onContextBuilding({ context, extendContext }) {
      const ctx = context as RequestContext & NodeServerContext;
      const takeFieldQuota = async (fieldName: string) => {
        const limit = limitsByField[fieldName as LimitedMutation];
        if (!limit) return;
        const key =
          limit.per === "user"
            ? (ctx.user?.id ?? "anonymous")
            : clientIp(
                ctx.request.headers.get("x-forwarded-for"),
                ctx.req?.socket?.remoteAddress,
                limits.trustProxyHops,
              );
        try {
          await consumeOrRefuse(limit.limiter, key, 1, limit.what);
        } catch (error) {
          if (codeOf(error) === "RATE_LIMITED") ctx.log?.info({ limit: fieldName }, "rate limited");
          throw error;
        }
      };
      extendContext({ takeFieldQuota } as Partial<RequestContext>);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as RequestContext;
      // Refusals from fields (these limits, the log-in throttle) become the Retry-After header.
      const onExecuteDone = ({ result }: { result: unknown }) => {
        for (const error of (result as { errors?: readonly unknown[] }).errors ?? []) {
          if (codeOf(error) === "RATE_LIMITED") noteRefusal(ctx.request, error);
        }
      };
      if (!ctx.org) return { onExecuteDone };
      try {
        await orgQuotas.consumeRequest(ctx.org.id);
        // The cost the operation limits already measured for this request, when they ran.
        await orgQuotas.consumeCost(ctx.org.id, operationCostOf(ctx) ?? cost(args));
      } catch (error) {
        if (!(error instanceof GraphQLError) || codeOf(error) !== "RATE_LIMITED") throw error;
        ctx.log.info({ orgId: ctx.org.id, reason: error.message }, "rate limited");
        noteRefusal(ctx.request, error);
        setResultAndStopExecution({ errors: [error] });
      }
      return { onExecuteDone };
    },
    onResponse({ request, response }) {
      const seconds = retryAfter.get(request);
      if (seconds !== undefined && response.status === 429) response.headers.set("retry-after", String(seconds));
    },
  };
}

// The schema object is shared by every server in the process (tests run several), so its
// resolvers are wrapped once, and the wrapper takes the limits of the server whose context
// it is given.
const wrapped = new WeakSet<object>();

function wrapLimitedMutations(schema: GraphQLSchema): void {
  const fields = schema.getMutationType()?.getFields() ?? {};
  for (const name of LIMITED_MUTATIONS) {
    const field = fields[name];
    if (!field || wrapped.has(field)) continue;
    const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
    field.resolve = async (root, args, context, info) => {
      await (context as FieldQuotaContext).takeFieldQuota?.(info.fieldName);
      return resolve(root, args, context, info);
    };
    wrapped.add(field);
  }
}

/** The same measure MAX_COST limits (src/http/operation-cost.ts); variables that do not fit cost nothing: execution refuses them. */
function costOf(args: ExecutionArgs): number {
  try {
    return operationCost({
      schema: args.schema,
      document: args.document,
      variables: args.variableValues,
      operationName: args.operationName,
    });
  } catch (error) {
    if (error instanceof OperationVariablesError) return 0;
    throw error;
  }
}
