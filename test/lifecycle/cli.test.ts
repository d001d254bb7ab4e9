// The operator CLI as operators run it: a separate process against DATABASE_URL, tables
// for people, --json for scripts, non-zero exit codes when anything failed, and no
// destructive command without confirmation.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCentral } from "../../src/data/central-database.ts";
import { dropDatabase } from "../../src/data/server-admin.ts";
import { dropTemplates } from "../../src/data/database-templates.ts";
import {
  createScratchDatabase,
  secondServerUrl,
  serverUrl,
  withAdminClient,
  type ScratchDatabase,
} from "../helpers/databases.ts";
import { runCli, type CliResult } from "../helpers/run-cli.ts";

let central: ScratchDatabase;
const suffix = randomBytes(3).toString("hex");
const env = () => ({
  ...process.env,
  DATABASE_URL: central.url,
  SERVERS: JSON.stringify({ second: secondServerUrl() }),
  APP_DB_ROLE: `cli_${suffix}`,
  APP_DB_PASSWORD: "cli-password",
  HOST_DATABASE_PREFIX: `cli_${suffix}`,
  JWT_SECRET: "c".repeat(40),
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, env());
}

beforeAll(async () => {
  central = await createScratchDatabase("cli_central");
  await migrateCentral(central.url);
});
afterAll(async () => {
  for (const db of [`org_cli_a_${suffix}`, `org_cli_b_${suffix}`])
    await dropDatabase(serverUrl(), db).catch(() => undefined);
  await dropDatabase(secondServerUrl(), `cli_${suffix}_schemas`).catch(() => undefined);
  for (const url of [serverUrl(), secondServerUrl()]) await dropTemplates(url, `cli_${suffix}`);
  await central?.drop();
  for (const url of [serverUrl(), secondServerUrl()]) {
    for (const role of [`cli_${suffix}`, `cli_${suffix}_switcher`, `org_cli_a_${suffix}`, `org_cli_b_${suffix}`]) {
      await withAdminClient((c) => c.query(`DROP ROLE IF EXISTS ${role}`), url);
    }
  }
});

describe("tenantgraph CLI", () => {
  it("creates organizations on both servers and lists them with tier and server", { timeout: 60_000 }, async () => {
    const a = await cli("orgs", "create", `cli-a-${suffix}`, "--name", "CLI A");
    expect(a.stderr).toContain("READY");
    expect(a.code).toBe(0);
    const b = await cli(
      "orgs",
      "create",
      `cli-b-${suffix}`,
      "--name",
      "CLI B",
      "--tier",
      "SCHEMA",
      "--server",
      "second",
      "--json",
    );
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ tier: "SCHEMA", server: "second", state: "READY" });

    const table = await cli("orgs", "list");
    expect(table.stdout).toMatch(/SLUG\s+TIER\s+SERVER\s+DATABASE\s+STATE\s+VERSION/);
    expect(table.stdout).toMatch(new RegExp(`cli-b-${suffix}\\s+SCHEMA\\s+second`));
    const json = JSON.parse((await cli("orgs", "list", "--json")).stdout);
    expect(json.map((o: { slug: string }) => o.slug).sort()).toEqual([`cli-a-${suffix}`, `cli-b-${suffix}`]);
  });

  it("refuses a hostile slug with a non-zero exit and creates nothing", async () => {
    const r = await cli("orgs", "create", "x'; DROP DATABASE postgres; --", "--name", "Evil");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/slug/);
    expect(JSON.parse((await cli("orgs", "list", "--json")).stdout)).toHaveLength(2);
  });

  it("reports migration status and a no-op migration", { timeout: 60_000 }, async () => {
    const status = await cli("migrate", "status", "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).orgs.map((o: { status: string }) => o.status)).toEqual(["current", "current"]);
    const run = await cli("migrate");
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/0 migrated, 2 already current, 0 failed/);
    const roles = await cli("roles", "rotate", "--json");
    expect(roles.code).toBe(0);
    expect(JSON.parse(roles.stdout)).toEqual([
      { target: `cli-a-${suffix}`, login: `org_cli_a_${suffix}` },
      { target: `cli-b-${suffix}`, login: `cli_${suffix}_switcher` },
    ]);
  });

  it("will not delete without confirmation, and deletes with --yes", { timeout: 60_000 }, async () => {
    const refused = await cli("orgs", "delete", `cli-a-${suffix}`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--yes/);
    expect(JSON.parse((await cli("orgs", "list", "--json")).stdout)).toHaveLength(2);
    const deleted = await cli("orgs", "delete", `cli-a-${suffix}`, "--yes");
    expect(deleted.code).toBe(0);
    expect(JSON.parse((await cli("orgs", "list", "--json")).stdout).map((o: { slug: string }) => o.slug)).toEqual([
      `cli-b-${suffix}`,
    ]);
  });

  it(
    "takes tiers in any case, names an organization after its slug, and refuses a second delete",
    { timeout: 90_000 },
    async () => {
      const slug = `cli-c-${suffix}`;
      const created = await cli("orgs", "create", slug, "--tier", "schema", "--server", "second", "--json");
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        slug,
        name: `Cli C ${suffix.charAt(0).toUpperCase()}${suffix.slice(1)}`,
        tier: "SCHEMA",
        state: "READY",
      });
      const deleted = await cli("orgs", "delete", slug, "--yes", "--json");
      expect(deleted.code).toBe(0);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ slug, state: "DELETED", alreadyDeleted: false });
      // A second delete still checks the data is gone (resuming a crashed first run), then says so and exits 1.
      const again = await cli("orgs", "delete", slug, "--yes");
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(new RegExp(`${slug} is already deleted`));
      expect(JSON.parse((await cli("orgs", "delete", slug, "--yes", "--json")).stdout)).toMatchObject({
        alreadyDeleted: true,
      });
      expect((await cli("orgs", "delete", `cli-z-${suffix}`, "--yes")).stderr).toMatch(/no organization/);
    },
  );
});
