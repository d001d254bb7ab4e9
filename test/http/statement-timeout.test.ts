// ORG_STATEMENT_TIMEOUT_MS: every organization connection (each tier's pool) carries
// PostgreSQL's statement_timeout, so one slow query cannot hold a connection; hitting it is
// QUERY_TIMEOUT (503, extensions.retryable) for that request only.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tier } from "../../src/data/central-client.ts";
import { quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { isQueryTimeout } from "../../src/data/database-errors.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { ORG_STATEMENT_TIMEOUT_MS: "300" } });
});
afterAll(() => app?.close());

describe("statement timeout", () => {
  it("cancels a raw pg_sleep on an organization's client with SQLSTATE 57014", async () => {
    const org = await app.provisionOrg("sleepy");
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    try {
      const error = await lease.db.$queryRaw`SELECT pg_sleep(5)`.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isQueryTimeout(error)).toBe(true);
      expect(await lease.db.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]); // the connection is usable again
    } finally {
      lease.release();
    }
  });

  for (const tier of ["DATABASE", "SCHEMA", "SHARED"] as Tier[]) {
    it(`${tier}: a query stuck behind a lock is QUERY_TIMEOUT (503, retryable), and the next one works`, async () => {
      const org = await app.provisionOrg(`slow-${tier.toLowerCase()}`, { tier });
      const user = await app.createUser([[org, "OWNER"]]);
      const token = await app.token(user.id, org.id);
      const query = `{ projectsConnection { totalCount } }`;
      expect(dataOf(await app.graphql(query, { token })).projectsConnection.totalCount).toBe(0); // warm client
      const datasource = resolvePlacement(org, app.servers);
      const table = datasource.schema ? `${quoteIdentifier(datasource.schema)}.projects` : "projects";
      const locker = new pg.Client({ connectionString: datasource.url });
      await locker.connect();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
        const response = await app.graphql(query, { token });
        expect(response.status).toBe(503);
        const error = errorOf(response);
        expect(error.code).toBe("QUERY_TIMEOUT");
        expect(error.extensions.retryable).toBe(true);
        expect(error.message).not.toMatch(/57014|prisma|statement/i);
      } finally {
        await locker.query("ROLLBACK").catch(() => undefined);
        await locker.end();
      }
      expect(dataOf(await app.graphql(query, { token })).projectsConnection.totalCount).toBe(0);
    });
  }
});
