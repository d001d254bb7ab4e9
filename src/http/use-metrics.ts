// Metrics of the request path (src/metrics/metrics.ts) and the /metrics endpoint.
// Recording is O(1) per operation: a label lookup in bounded maps (operation, organization),
// a counter and a histogram each, the organization's window figures (org-activity.ts); no
// database work. /metrics answers Prometheus text, behind a bearer token when METRICS_TOKEN
// is set; with METRICS_PORT it is served only on that separate listener (src/metrics-listener.ts),
// and this listener answers it 404.
import { timingSafeEqual } from "node:crypto";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { RequestContext } from "../graphql/context.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { operationCostOf } from "./operation-limits.ts";
import { currentRequestScope } from "./request-scope.ts";

export interface MetricsEndpointOptions {
  /** Serve /metrics on this listener (false when METRICS_PORT moves it elsewhere). */
  serve: boolean;
  /** Bearer token required to read /metrics. */
  token?: string;
}

export function useMetrics(metrics: Metrics, endpoint: MetricsEndpointOptions): Plugin<RequestContext> {
  const answer = metricsHandler(metrics, endpoint.token);
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== "/metrics") return;
      endResponse(
        endpoint.serve ? await answer(request, fetchAPI.Response) : new fetchAPI.Response(null, { status: 404 }),
      );
    },
    onExecute({ args }) {
      const scope = currentRequestScope();
      if (!scope) return;
      scope.operation = metrics.operationLabels.labelFor(
        getOperationAST(args.document, args.operationName)?.name?.value,
      );
      scope.cost = operationCostOf(args.contextValue);
    },
    onExecutionResult({ result, context }) {
      const scope = currentRequestScope();
      if (!scope || !result || Array.isArray(result) || !("errors" in result || "data" in result)) return;
      const errors = (result as { errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> }).errors;
      const code = errors?.length ? String(errors[0]!.extensions?.code ?? "INTERNAL_SERVER_ERROR") : undefined;
      const ctx = context as Partial<RequestContext>;
      metrics.recordOperation({
        operation: scope.operation ?? metrics.operationLabels.labelFor(ctx.params?.operationName),
        code,
        ms: performance.now() - scope.started,
        org: ctx.org ?? undefined,
        cost: scope.cost ?? 0,
        server: ctx.placementServer,
      });
    },
    onResponse({ request, response }) {
      const scope = currentRequestScope();
      const route = routeOf(scope?.path ?? new URL(request.url).pathname);
      metrics.http.requests.inc({ route, status: String(response.status) });
      if (scope) metrics.http.duration.observe({ route }, (performance.now() - scope.started) / 1000);
    },
  };
}

/** The answer to GET /metrics (also used by the separate METRICS_PORT listener). */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (request: Request, Response: typeof globalThis.Response): Promise<Response> => {
    if (expected) {
      const given = Buffer.from(request.headers.get("authorization") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return new Response("metrics need the bearer token (METRICS_TOKEN)\n", {
          status: 401,
          headers: { "www-authenticate": "Bearer" },
        });
    }
    return new Response(await metrics.registry.metrics(), {
      headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
    });
  };
}

// A fixed set: paths come from clients, so the route label never takes them verbatim.
function routeOf(pathname: string): string {
  if (pathname === "/graphql") return "graphql";
  if (pathname === "/health" || pathname.startsWith("/health/")) return "health";
  if (pathname === "/metrics") return "metrics";
  return "other";
}
