import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import pino from "pino";
import { VERSION } from "../../src/version.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("health endpoints", () => {
  it("/health answers while the process is up, with the version and uptime", async () => {
    const r = await app.yoga.fetch("http://test/health");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/json");
    const body = await r.json();
    expect(body).toMatchObject({ status: "ok", version: VERSION });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    // Yoga's plain liveness stays available.
    expect((await app.yoga.fetch("http://test/health/live")).status).toBe(200);
  });

  it("/health/ready answers 200 when the central database is reachable and migrated", async () => {
    const r = await app.yoga.fetch("http://test/health/ready");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      status: "ready",
      version: VERSION,
      checks: { centralDatabase: "ok", centralMigrations: "ok" },
    });
  });

  it("/health/ready answers 503 when a central migration is missing", async () => {
    // The newest migration's bookkeeping row goes away (as on a database the new code was not migrated for).
    const [row] = await app.central.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`;
    await app.central.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = ${row!.id}`;
    try {
      const r = await app.yoga.fetch("http://test/health/ready");
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({
        status: "not ready",
        checks: { centralDatabase: "ok", centralMigrations: "behind" },
      });
    } finally {
      await app.central.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE id = ${row!.id}`;
    }
  });

  it("/health/db answers 200 when the central database is reachable", async () => {
    const r = await app.yoga.fetch("http://test/health/db");
    expect(r.status).toBe(200);
  });

  it("/health/db answers 503 when it is not", async () => {
    const config = loadConfig({ JWT_SECRET: "s".repeat(40), APP_DB_PASSWORD: "unused", LOG_LEVEL: "silent" });
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const broken = await createApp(config, "postgresql://nobody:x@127.0.0.1:1/none", {
      logger: pino({ level: "silent" }),
    });
    try {
      const r = await broken.yoga.fetch("http://test/health/db");
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: "unavailable" });
      const ready = await broken.yoga.fetch("http://test/health/ready");
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { centralDatabase: "unavailable" } });
    } finally {
      await broken.close();
    }
  });

  it("echoes a request id", async () => {
    const r = await app.yoga.fetch("http://test/health", { headers: { "x-request-id": "abc-123" } });
    expect(r.headers.get("x-request-id")).toBe("abc-123");
  });
});
