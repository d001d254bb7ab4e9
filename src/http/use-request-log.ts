// Request ids and logs: every request gets an id (the caller's X-Request-Id when it is
// sane, else a new one), echoed in the response, and a pino child logger that carries it.
// The tenancy plugin adds the organization id to the same logger.
import { randomUUID } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import type { RequestContext } from "../graphql/context.ts";

const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function useRequestLog(logger: Logger): Plugin<RequestContext> {
  const ids = new WeakMap<Request, { id: string; started: number }>();
  const idOf = (request: Request) => {
    let entry = ids.get(request);
    if (!entry) {
      const given = request.headers.get("x-request-id");
      entry = { id: given && SANE_ID.test(given) ? given : randomUUID(), started: performance.now() };
      ids.set(request, entry);
    }
    return entry;
  };
  return {
    onRequest({ request }) {
      idOf(request);
    },
    onContextBuilding({ context, extendContext }) {
      const requestId = idOf(context.request).id;
      extendContext({ requestId, log: logger.child({ requestId }) });
    },
    onResponse({ request, response }) {
      const { id, started } = idOf(request);
      response.headers.set("x-request-id", id);
      logger.info(
        {
          requestId: id,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        "request",
      );
    },
  };
}
