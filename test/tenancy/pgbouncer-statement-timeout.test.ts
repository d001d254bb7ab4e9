// ORG_STATEMENT_TIMEOUT_MS through PgBouncer (transaction mode), which drops the startup
// parameter that carries it on direct connections: provisioning sets it on the request login
// roles themselves (src/data/role-settings.ts), the SCHEMA tier's on the switcher (SET ROLE
// applies no role settings), and `migrate` or `roles rotate` bring a changed value to them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { isQueryTimeout } from "../../src/data/database-errors.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { switcherRoleName } from "../../src/data/request-roles.ts";
import { migrateFleet } from "../../src/lifecycle/migrate-fleet.ts";
import { rotateRoles } from "../../src/lifecycle/rotate-roles.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";
import { pgbouncerInstalled } from "../helpers/pgbouncer.ts";

const installed = pgbouncerInstalled();
let app: TestApp;
const orgs: Partial<Record<"SCHEMA" | "SHARED" | "DATABASE", Organization>> = {};
beforeAll(async () => {
  app = await startTestApp({ viaPgBouncer: installed, env: { ORG_STATEMENT_TIMEOUT_MS: "400" } });
  for (const tier of ["SCHEMA", "SHARED", "DATABASE"] as const) {
    orgs[tier] = await app.provisionOrg(`role-timeout-${tier.toLowerCase()}`, { tier });
  }
}, 60_000);
afterAll(() => app?.close());

/** Each role's statement_timeout setting as stored on the role. */
async function roleTimeouts(roles: string[]): Promise<Record<string, string | null>> {
  const rows = await withAdminClient(async (c) => {
    const r = await c.query<{ role: string; setting: string | null }>(
      `SELECT r.rolname AS role, (SELECT v FROM unnest(s.setconfig) v WHERE v LIKE 'statement_timeout=%') AS setting
         FROM pg_roles r LEFT JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0
        WHERE r.rolname = ANY($1)`,
      [roles],
    );
    return r.rows;
  });
  return Object.fromEntries(rows.map((row) => [row.role, row.setting]));
}

describe.skipIf(!installed).each(["SCHEMA", "SHARED"] as const)("%s tier through PgBouncer", (tier) => {
  it("a request connection has the configured statement_timeout, and a longer pg_sleep is cancelled (57014)", async () => {
    const org = orgs[tier]!;
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    try {
      // SCHEMA: as the organization's role (SET LOCAL ROLE), with the switcher's setting.
      const runsAs = tier === "SCHEMA" ? org.schemaName : app.config.appRole.name;
      expect(
        await lease.db.$queryRaw`SELECT current_setting('statement_timeout') AS timeout, current_user::text AS role`,
      ).toEqual([{ timeout: "400ms", role: runsAs }]);
      const error = await lease.db.$queryRaw`SELECT pg_sleep(5)`.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isQueryTimeout(error)).toBe(true); // QUERY_TIMEOUT (503, retryable) for a request
    } finally {
      lease.release();
    }
  });
});

describe("the request login roles' statement_timeout", () => {
  it("is set at provisioning; migrate applies a changed value (once), roles rotate too", async () => {
    const appRole = app.lifecycle.appRole;
    const logins = [appRole.name, switcherRoleName(appRole), orgs.DATABASE!.databaseName];
    const expectAll = (value: string) => Object.fromEntries(logins.map((role) => [role, value]));
    expect(await roleTimeouts([...logins, orgs.SCHEMA!.schemaName!])).toEqual({
      ...expectAll("statement_timeout=400ms"),
      [orgs.SCHEMA!.schemaName!]: null, // reached by SET ROLE only: a setting there would not apply
    });

    const slugs = Object.values(orgs).map((o) => o.slug);
    const changed = { ...app.lifecycle, appRole: { ...appRole, statementTimeoutMs: 900 } };
    const report = await migrateFleet(changed, { orgs: slugs });
    expect(report.results.every((r) => r.outcome === "current")).toBe(true); // no target was migrated
    expect(report.roleSettings).toEqual([{ server: "main", altered: expect.arrayContaining(logins) }]);
    expect(await roleTimeouts(logins)).toEqual(expectAll("statement_timeout=900ms"));
    expect((await migrateFleet(changed, { orgs: slugs })).roleSettings).toEqual([{ server: "main", altered: [] }]);

    const rotated = await rotateRoles(app.lifecycle, { orgs: slugs });
    expect(rotated.filter((r) => r.error)).toEqual([]);
    expect(await roleTimeouts(logins)).toEqual(expectAll("statement_timeout=400ms"));
  });
});
