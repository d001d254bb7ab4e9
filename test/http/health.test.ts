import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import pino from "pino";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("health endpoints", () => {
  it("/health answers while the process is up", async () => {
    const r = await app.yoga.fetch("http://test/health");
    expect(r.status).toBe(200);
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
    } finally {
      await broken.close();
    }
  });

  it("echoes a request id", async () => {
    const r = await app.yoga.fetch("http://test/health", { headers: { "x-request-id": "abc-123" } });
    expect(r.headers.get("x-request-id")).toBe("abc-123");
  });
});
