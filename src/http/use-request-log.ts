// Request ids and logs: every request gets an id (the caller's X-Request-Id when it is
// sane, else a new one), echoed in the response, and a pino child logger that carries it.
// The tenancy plugin adds the organization's id and slug to the same logger; from then on
// every line of the request has them, the access line per response included. The request
// runs inside its RequestScope (request-scope.ts), so code without a context (maskError,
// Yoga's own logging) logs with the same fields.
import { randomUUID } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import type { RequestContext } from "../graphql/context.ts";
import { runInRequestScope, type RequestScope } from "./request-scope.ts";

const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function useRequestLog(logger: Logger): Plugin<RequestContext> {
  const scopes = new WeakMap<Request, RequestScope>();
  const scopeOf = (request: Request) => {
    let scope = scopes.get(request);
    if (!scope) {
      const given = request.headers.get("x-request-id");
      const requestId = given && SANE_ID.test(given) ? given : randomUUID();
      scope = { requestId, started: performance.now(), log: logger.child({ requestId }) };
      scopes.set(request, scope);
    }
    return scope;
  };
  return {
    instrumentation: {
      request: ({ request }, wrapped) => runInRequestScope(scopeOf(request), wrapped),
    },
    onRequest({ request, url }) {
      scopeOf(request).path = url.pathname;
    },
    onContextBuilding({ context, extendContext }) {
      const scope = scopeOf(context.request);
      extendContext({ requestId: scope.requestId, log: scope.log });
      // Once every plugin added its part (tenancy: the organization), later lines use that logger.
      return ({ context: built }) => {
        scope.log = built.log;
        if (built.org) scope.org = { id: built.org.id, slug: built.org.slug };
      };
    },
    onResponse({ request, response }) {
      const scope = scopeOf(request);
      response.headers.set("x-request-id", scope.requestId);
      scope.log.info(
        {
          method: request.method,
          path: scope.path ?? new URL(request.url).pathname,
          status: response.status,
          ms: Math.round(performance.now() - scope.started),
        },
        "request",
      );
    },
  };
}
