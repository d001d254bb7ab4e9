// Health for orchestrators, answered before any GraphQL work:
// - /health: the process is up: {status, version, uptimeSeconds} (liveness; never touches a database);
// - /health/db: the central database answers (503 otherwise);
// - /health/ready: ready for traffic: the central database answers and has every central
//   migration this code needs (503 with the failing check otherwise).
// /health/live is Yoga's built-in empty 200 (configured in server.ts).
import type { Plugin } from "graphql-yoga";
import type { CentralDb } from "../data/central-client.ts";

export interface HealthOptions {
  central: CentralDb;
  version: string;
  /** The newest central migration this code needs (null: none). */
  centralVersion: string | null;
  /** Give up on a database check after this long. */
  timeoutMs?: number;
}

type Check = "ok" | "unavailable" | "behind";

export function useHealth({ central, version, centralVersion, timeoutMs = 2000 }: HealthOptions): Plugin {
  const json = (Response: typeof globalThis.Response, status: number, body: object) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  const withTimeout = async <T>(work: Promise<T>, fallback: T): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work.catch(() => fallback),
        new Promise<T>((resolve) => (timer = setTimeout(resolve, timeoutMs, fallback))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const databaseCheck = (): Promise<Check> =>
    withTimeout(
      central.$queryRaw`SELECT 1`.then(() => "ok" as const),
      "unavailable",
    );
  // Prisma's bookkeeping table (src/data/migrator.ts): names sort by their timestamp.
  const migrationsCheck = (): Promise<Check> =>
    withTimeout(
      central.$queryRaw<Array<{ newest: string | null }>>`
        SELECT max(migration_name) AS newest FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`.then(([row]) =>
        centralVersion === null || (row?.newest ?? "") >= centralVersion ? ("ok" as const) : ("behind" as const),
      ),
      "unavailable",
    );
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      switch (url.pathname) {
        case "/health":
          endResponse(
            json(fetchAPI.Response, 200, { status: "ok", version, uptimeSeconds: Math.round(process.uptime()) }),
          );
          return;
        case "/health/db": {
          const ok = (await databaseCheck()) === "ok";
          endResponse(json(fetchAPI.Response, ok ? 200 : 503, { status: ok ? "ok" : "unavailable" }));
          return;
        }
        case "/health/ready": {
          const database = await databaseCheck();
          const migrations = database === "ok" ? await migrationsCheck() : "unavailable";
          const ready = database === "ok" && migrations === "ok";
          endResponse(
            json(fetchAPI.Response, ready ? 200 : 503, {
              status: ready ? "ready" : "not ready",
              version,
              checks: { centralDatabase: database, centralMigrations: migrations },
            }),
          );
          return;
        }
      }
    },
  };
}
