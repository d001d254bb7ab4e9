// What the process knows about the request it is working for, reachable without a context:
// maskError and Yoga's own log calls run where no context is at hand, yet their lines must
// carry the request id and, once the tenancy plugin knew it, the organization. One object per
// request (created by useRequestLog around the whole request), filled in as the request goes.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";

export interface RequestScope {
  requestId: string;
  /** performance.now() when the request arrived. */
  started: number;
  /** The URL's path (parsed once, in onRequest). */
  path?: string;
  /** Carries requestId, then orgId and orgSlug once the organization is known. */
  log: Logger;
  org?: { id: string; slug: string };
  /** The executed operation's metric label (src/http/use-metrics.ts). */
  operation?: string;
  /** The operation's estimated cost, when the limits measured it. */
  cost?: number;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The request this code runs for; undefined outside a request (start-up, timers). */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** The logger of the current request (with its ids), or `fallback` outside a request. */
export function requestLogger(fallback: Logger): Logger {
  return storage.getStore()?.log ?? fallback;
}
