// `tenantgraph orgs limits <slug>` shows an organization's effective limits and sets or
// clears its overrides (central table org_limits), as an operator runs it.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCentral } from "../../src/data/central-database.ts";
import { createCentralClient, type CentralDb } from "../../src/data/central-client.ts";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases.ts";
import { runCli, type CliResult } from "../helpers/run-cli.ts";

const slug = `limits-${randomBytes(3).toString("hex")}`;
let database: ScratchDatabase;
let central: CentralDb;

function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, {
    ...process.env,
    DATABASE_URL: database.url,
    APP_DB_PASSWORD: "x",
    JWT_SECRET: "l".repeat(40),
    ORG_REQUESTS_PER_SECOND: "70",
  });
}

beforeAll(async () => {
  database = await createScratchDatabase("limits_cli");
  await migrateCentral(database.url);
  central = createCentralClient(database.url, 2);
  await central.organization.create({
    data: { slug, name: "Limits", server: "main", databaseName: `org_${slug.replace(/-/g, "_")}`, state: "READY" },
  });
});
afterAll(async () => {
  await central?.$disconnect();
  await database?.drop();
});

describe("tenantgraph orgs limits", () => {
  it(
    "overrides one limit, keeps the other at its default, and goes back to the default",
    { timeout: 120_000 },
    async () => {
      const set = await cli("orgs", "limits", slug, "--cost-per-minute", "500", "--json");
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({
        slug,
        requestsPerSecond: 70,
        requestsPerSecondFrom: "default",
        costPerMinute: 500,
        costPerMinuteFrom: "override",
      });
      const org = await central.organization.findUniqueOrThrow({ where: { slug } });
      expect(await central.orgLimits.findUnique({ where: { orgId: org.id } })).toMatchObject({
        requestsPerSecond: null,
        costPerMinute: 500,
      });

      const cleared = await cli("orgs", "limits", slug, "--cost-per-minute", "default", "--json");
      expect(cleared.code, cleared.stderr).toBe(0);
      expect(JSON.parse(cleared.stdout)).toMatchObject({ costPerMinute: 60_000, costPerMinuteFrom: "default" });
    },
  );
});
