// /health/db: the central database answers (503 otherwise). Plain liveness (/health,
// an empty 200) is Yoga's built-in health check, configured in server.ts.
import type { Plugin } from "graphql-yoga";
import type { CentralDb } from "../data/central-client.ts";

export interface HealthOptions {
  central: CentralDb;
  /** Give up on the database check after this long. */
  timeoutMs?: number;
}

export function useHealth({ central, timeoutMs = 2000 }: HealthOptions): Plugin {
  const json = (Response: typeof globalThis.Response, status: number, body: object) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === "/health/db") {
        let timer: NodeJS.Timeout | undefined;
        const ok = await Promise.race([
          central.$queryRaw`SELECT 1`.then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, false))),
        ]);
        clearTimeout(timer);
        endResponse(json(fetchAPI.Response, ok ? 200 : 503, { status: ok ? "ok" : "unavailable" }));
      }
    },
  };
}
