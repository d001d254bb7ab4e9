// A second tenantgraph process, as a fleet would run it: its own app (its own clients, its
// own limiter instances and in-process state) on the same central database as a TestApp.
// Closing it leaves the databases to the TestApp. `requestVia` (app.ts) sends a request to
// either, optionally as if from a socket peer address.
import pino from "pino";
import { createApp, type App, type AppHooks } from "../../src/app.ts";
import type { TestApp } from "./app.ts";

export { requestVia, type RequestFrom } from "./app.ts";

/** Another app on `app`'s central database with `app`'s configuration: same secrets, same limits, same store. */
export async function startSecondInstance(app: TestApp, hooks: AppHooks = {}): Promise<App> {
  return createApp(app.config, app.servers.main!, { logger: pino({ level: "silent" }), ...hooks });
}
