// Log lines of a request: each carries the request id, and once the organization is known its
// id and slug; an internal error is logged once, with both, while the client sees no detail.
// The test reads what pino wrote (its destination is captured), as an operator's log shipper would.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { databaseUrlOn } from "../../src/data/placement.ts";
import { createLogger } from "../../src/logger.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient, serverUrl } from "../helpers/databases.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { errorOf } from "../helpers/results.ts";

interface Line {
  level: number;
  msg: string;
  requestId?: string;
  orgId?: string;
  orgSlug?: string;
  [key: string]: unknown;
}

const lines: Line[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const text of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(text) as Line);
    done();
  },
});

let app: TestApp;
let org: Organization;
let token: string;
beforeAll(async () => {
  app = await startTestApp({ logger: pino({ level: "info" }, destination) });
  org = await app.provisionOrg("logs");
  token = (await memberOf(app, org, "OWNER")).token;
});
afterAll(() => app?.close());

const linesOf = (requestId: string) => lines.filter((l) => l.requestId === requestId);

describe("request logs", () => {
  it("the access line of an organization's request carries the request id, organization id and slug", async () => {
    await newProject(app, token, "logged");
    const r = await app.graphql(op("Projects"), { token, headers: { "x-request-id": "log-test-1" } });
    expect(r.status).toBe(200);
    const access = linesOf("log-test-1").filter((l) => l.msg === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ orgId: org.id, orgSlug: org.slug, status: 200, path: "/graphql" });
  });

  it("a request without an organization logs its id and no organization", async () => {
    const r = await app.yoga.fetch("http://test/health", { headers: { "x-request-id": "log-test-2" } });
    expect(r.status).toBe(200);
    const [access] = linesOf("log-test-2");
    expect(access).toMatchObject({ msg: "request", status: 200 });
    expect(access!.orgId).toBeUndefined();
  });

  it("an internal error is masked for the client and logged once with the request id and organization", async () => {
    // Break the organization's database under the running server: the next read fails inside PostgreSQL.
    const url = databaseUrlOn(serverUrl(), org.databaseName);
    await withAdminClient(
      (c) => c.query(`ALTER TABLE projects RENAME COLUMN description TO ${quoteIdentifier("gone")}`),
      url,
    );
    try {
      const r = await app.graphql(op("Projects"), { token, headers: { "x-request-id": "log-test-3" } });
      const error = errorOf(r);
      expect(error.code).toBe("INTERNAL_SERVER_ERROR");
      expect(error.message).not.toContain("does not exist");
      const logged = linesOf("log-test-3");
      const internal = logged.filter((l) => l.msg === "internal error (masked)");
      expect(internal).toHaveLength(1);
      expect(internal[0]).toMatchObject({ orgId: org.id, orgSlug: org.slug, level: 50 });
      expect(JSON.stringify(internal[0]!.err)).toContain("does not exist");
      // Every line of the request (the access line included) carries the ids.
      for (const line of logged) expect(line).toMatchObject({ requestId: "log-test-3", orgId: org.id });
    } finally {
      await withAdminClient((c) => c.query(`ALTER TABLE projects RENAME COLUMN gone TO description`), url);
    }
  });
});

describe("log format", () => {
  const capture = (isTTY: boolean) => {
    let text = "";
    const output = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          text += chunk.toString();
          done();
        },
      }),
      { isTTY },
    );
    const logger = createLogger("info", output);
    logger.info({ requestId: "r-1" }, "hello");
    return () => text;
  };

  it("is one JSON object per line when the output is not a terminal", async () => {
    const text = capture(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(text().trim())).toMatchObject({ msg: "hello", requestId: "r-1" });
  });

  it("is human-readable (pino-pretty) on a terminal", async () => {
    const text = capture(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(text()).toContain("hello");
    expect(text()).toContain("requestId");
    expect(() => JSON.parse(text().trim())).toThrow();
  });
});
