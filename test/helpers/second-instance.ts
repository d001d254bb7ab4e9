// A second tenantgraph process, as a fleet would run it: its own app (its own clients, its
// own limiter instances and in-process state) on the same central database as a TestApp.
// Closing it leaves the databases to the TestApp. `requestVia` sends a request to either,
// optionally as if from a socket peer address (what the Node server passes as `req`).
import pino from "pino";
import { createApp, type App, type AppHooks } from "../../src/app.ts";
import type { GraphQLResponse, RequestOptions, TestApp } from "./app.ts";
import { print, type DocumentNode } from "graphql";

export interface RequestFrom extends RequestOptions {
  /** The socket peer address the server sees. */
  remoteAddress?: string;
}

export async function requestVia<T = any>(
  app: Pick<App, "yoga">,
  document: string | DocumentNode,
  options: RequestFrom = {},
): Promise<GraphQLResponse<T> & { headers: Headers }> {
  const query = typeof document === "string" ? document : print(document);
  const { token, orgId, variables, headers = {}, remoteAddress } = options;
  const response = await app.yoga.fetch(
    "http://test/graphql",
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(orgId ? { "x-org-id": orgId } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    },
    { req: { socket: { remoteAddress } } },
  );
  return { status: response.status, headers: response.headers, ...(await response.json()) };
}

/** Another app on `app`'s central database with `app`'s configuration: same secrets, same limits, same store. */
export async function startSecondInstance(app: TestApp, hooks: AppHooks = {}): Promise<App> {
  return createApp(app.config, app.servers.main!, { logger: pino({ level: "silent" }), ...hooks });
}
