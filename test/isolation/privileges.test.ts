// Least privilege, attacked with raw SQL through an organization's own client (what ctx.db
// is): in every tier on both servers the connection is no superuser and no owner, and it
// cannot reach another organization's database, schema or rows, create anything, run a
// program, drop anything or change its role. Every attempt fails with a permission error
// and nothing changes.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import type { TenantDb } from "../../src/data/tenant-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { orgRoleName, rolePassword, roleUrl, switcherRoleName } from "../../src/data/request-roles.ts";
import type { AppRole } from "../../src/data/request-roles.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { moveTo } from "../helpers/moves.ts";
import { MOVED_PLACEMENTS, PLACEMENTS } from "../helpers/placements.ts";

let app: TestApp;
let appRole: AppRole;
beforeAll(async () => {
  app = await startTestApp();
  appRole = { name: app.config.appRole.name, password: app.config.appRole.password! };
});
afterAll(() => app?.close());

// (The SHARED tier runs every operation in a transaction, which refuses DROP DATABASE and DISCARD first.)
const DENIED =
  /permission denied|must be owner|must be superuser|must have admin option|not allowed|cannot run inside a transaction block/i;

/** Runs raw SQL on the organization's own client, as a resolver could. */
async function raw(org: Organization, sql: string): Promise<unknown> {
  const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
  try {
    return await (lease.db as TenantDb).$queryRawUnsafe(sql);
  } finally {
    lease.release();
  }
}

/** What an attack could have changed: the other organization's rows, and the objects in both databases. */
async function snapshot(orgs: Organization[]) {
  const result: unknown[] = [];
  for (const org of orgs) {
    const datasource = resolvePlacement(org, app.servers);
    result.push(
      await withPgClient(datasource.url, async (c) => ({
        objects: (await c.query("SELECT count(*)::int AS n FROM pg_class")).rows[0].n,
        namespaces: (await c.query("SELECT count(*)::int AS n FROM pg_namespace")).rows[0].n,
        extensions: (await c.query("SELECT count(*)::int AS n FROM pg_extension")).rows[0].n,
        largeObjects: (await c.query("SELECT count(*)::int AS n FROM pg_largeobject_metadata")).rows[0].n,
        projects: (
          await c.query(
            `SELECT count(*)::int AS n FROM ${datasource.schema ? `"${datasource.schema}".` : ""}projects WHERE org_id = $1`,
            [org.id],
          )
        ).rows[0].n,
      })),
    );
  }
  return result;
}

type Tier = (typeof PLACEMENTS)[number][0];
type Server = (typeof PLACEMENTS)[number][1];

/** `movedFrom`: both organizations are provisioned in that tier on "main" and then moved to tier and server. */
function privilegeSuite(tier: Tier, server: Server, movedFrom?: Tier) {
  let a: Organization;
  let b: Organization;
  beforeAll(async () => {
    const name = movedFrom
      ? `mv-${tier.slice(0, 2)}${server[0]}-${movedFrom.slice(0, 2)}`.toLowerCase()
      : `${tier.toLowerCase()}-${server}`;
    const placement = movedFrom ? { tier: movedFrom } : { tier, server };
    a = await app.provisionOrg(`priv-a-${name}`, placement);
    b = await app.provisionOrg(`priv-b-${name}`, placement);
    const owner = await app.createUser([[b, "OWNER"]]);
    const token = await app.token(owner.id, b.id);
    const r = await app.graphql(`mutation { createProject(input: { name: "b's secret" }) { id } }`, { token });
    expect(r.errors).toBeUndefined();
    if (movedFrom) [a, b] = [await moveTo(app, a, tier, server), await moveTo(app, b, tier, server)];
  });

  /** The role b's requests run as, and the role a's should. */
  const roleOf = (org: Organization) => orgRoleName(org) ?? appRole.name;

  it("runs as a role that is no superuser, owns nothing and cannot create roles or databases", async () => {
    const [who] = (await raw(
      a,
      `SELECT current_user::text AS role, session_user::text AS login, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
        (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
        FROM pg_roles r WHERE r.rolname = current_user`,
    )) as Array<Record<string, unknown>>;
    expect(who).toEqual({
      role: roleOf(a),
      login: tier === "SCHEMA" ? switcherRoleName(appRole) : roleOf(a),
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolbypassrls: false,
      owned: 0,
    });
  });

  it("cannot reach the other organization's database, schema or rows", async () => {
    const before = await snapshot([a, b]);
    if (tier === "DATABASE") {
      // Not even with its own credentials: only b's role may connect to b's database.
      const url = roleUrl(resolvePlacement(b, app.servers).url, roleOf(a), rolePassword(appRole, roleOf(a)));
      await expect(withPgClient(url, (c) => c.query("SELECT 1"))).rejects.toThrow(/permission denied for database/);
      await expect(
        raw(a, `SELECT * FROM dblink('dbname=${b.databaseName}', 'SELECT name FROM projects') AS t(name text)`),
      ).rejects.toThrow(/does not exist/);
    }
    if (tier === "SCHEMA") {
      await expect(raw(a, `SELECT name FROM "${b.schemaName}".projects`)).rejects.toThrow(
        /permission denied for schema/,
      );
      await expect(raw(a, `SELECT name FROM "${b.schemaName}"._prisma_migrations`)).rejects.toThrow(
        /permission denied for schema/,
      );
    }
    if (tier === "SHARED") {
      expect(await raw(a, `SELECT name FROM projects WHERE org_id = '${b.id}'`)).toEqual([]);
    }
    await expect(raw(a, `SELECT * FROM _prisma_migrations`)).rejects.toThrow(/permission denied|does not exist/);
    expect(await snapshot([a, b])).toEqual(before);
  });

  it("cannot create, run a program, drop, or change its role", async () => {
    const before = await snapshot([a, b]);
    const other = tier === "SHARED" ? "postgres" : roleOf(b);
    const attacks = [
      `CREATE TABLE planted (id int)`,
      `CREATE TABLE public.planted (id int)`,
      `CREATE TEMP TABLE planted (id int)`,
      `CREATE SCHEMA planted`,
      `CREATE FUNCTION planted() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
      `CREATE EXTENSION pg_trgm`,
      `CREATE EXTENSION dblink`,
      `COPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned'`,
      `COPY projects TO '/tmp/pwned'`,
      `SELECT pg_read_file('/etc/passwd')`,
      `SELECT lo_create(0)`,
      `SELECT lo_from_bytea(0, 'planted')`,
      `SELECT lo_import('/etc/passwd')`,
      `DROP TABLE projects`,
      `TRUNCATE projects`,
      `ALTER TABLE projects ADD COLUMN planted int`,
      `DROP SCHEMA public CASCADE`,
      ...(tier === "SCHEMA" ? [`DROP SCHEMA "${b.schemaName}" CASCADE`, `DROP SCHEMA "${a.schemaName}" CASCADE`] : []),
      `DROP DATABASE ${b.databaseName}`,
      `SET ROLE ${other}`,
      `SET SESSION AUTHORIZATION ${other}`,
      `SELECT set_config('role', '${other}', false)`,
      `SELECT set_config('role', '${other}', true), (SELECT count(*) FROM projects)`,
      `DO $$ BEGIN EXECUTE 'SET ROLE ${other}'; END $$`,
      `SELECT query_to_xml('SELECT 1', true, false, '')`,
      `GRANT ${other} TO ${roleOf(a)}`,
      `ALTER ROLE ${roleOf(a)} SUPERUSER`,
      `CREATE ROLE planted`,
    ];
    for (const sql of attacks) {
      const outcome = await raw(a, sql).then(
        (rows) => ({ ok: rows }),
        (error: Error) => ({ error: error.message }),
      );
      // query_to_xml is harmless outside SCHEMA host databases (it runs SQL as the same role).
      if (sql.startsWith("SELECT query_to_xml") && tier !== "SCHEMA") continue;
      expect(outcome, sql).toMatchObject({ error: expect.stringMatching(DENIED) });
    }
    expect(await snapshot([a, b])).toEqual(before);
  });

  it("stays its own role after RESET ROLE, SET ROLE NONE and the like", async () => {
    const other = tier === "SHARED" ? "postgres" : roleOf(b);
    const attempts = [
      "RESET ROLE",
      "SET ROLE NONE",
      "RESET ALL",
      "DISCARD ALL",
      `UPDATE pg_settings SET setting = '${other}' WHERE name = 'role'`,
    ];
    for (const sql of attempts) {
      // Refused outright on the SCHEMA tier's switched connections; elsewhere a no-op.
      await raw(a, sql).catch((error: Error) => expect(error.message, sql).toMatch(DENIED));
      const [who] = (await raw(a, "SELECT current_user::text AS role")) as Array<{ role: string }>;
      expect(who!.role, sql).toBe(roleOf(a));
    }
  });

  it("still works after all that", async () => {
    const owner = await app.createUser([[a, "OWNER"]]);
    const token = await app.token(owner.id, a.id);
    const r = await app.graphql(`mutation { createProject(input: { name: "after the attacks" }) { name } }`, { token });
    expect(r.data).toEqual({ createProject: { name: "after the attacks" } });
  });
}

describe.each(PLACEMENTS)("%s tier on server %s", (tier, server) => privilegeSuite(tier, server));
describe.each(MOVED_PLACEMENTS)("%s tier on server %s, moved there from %s", privilegeSuite);

describe("interactive transactions on the SCHEMA tier", () => {
  it("run as the organization's role and cannot switch to another inside", async () => {
    const a = await app.provisionOrg("priv-tx-a", { tier: "SCHEMA" });
    const b = await app.provisionOrg("priv-tx-b", { tier: "SCHEMA" });
    const lease = await app.orgClients.acquire(resolvePlacement(a, app.servers));
    try {
      const db = lease.db as TenantDb;
      const who = await db.$transaction(async (tx) =>
        tx.$queryRawUnsafe<Array<{ role: string }>>("SELECT current_user::text AS role"),
      );
      expect(who[0]!.role).toBe(a.schemaName);
      await expect(
        db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL ROLE ${b.schemaName}`);
          return tx.$queryRawUnsafe(`SELECT * FROM "${b.schemaName}".projects`);
        }),
      ).rejects.toThrow(DENIED);
      await expect(
        db.$transaction(async (tx) => tx.$queryRawUnsafe(`SELECT 1; SET ROLE ${b.schemaName}`)),
      ).rejects.toThrow(DENIED);
    } finally {
      lease.release();
    }
  });

  it("give the connection back to the pool as the switcher, with no role of its own", async () => {
    const org = await app.provisionOrg("priv-pool", { tier: "SCHEMA" });
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    lease.release();
    // A direct connection as the switcher: what any pooled connection is between transactions.
    const switcher = switcherRoleName(appRole);
    const url = roleUrl(resolvePlacement(org, app.servers).url, switcher, rolePassword(appRole, switcher));
    await withPgClient(url, async (c: pg.Client) => {
      expect((await c.query("SELECT current_user::text AS role")).rows[0].role).toBe(switcher);
      await expect(c.query(`SELECT * FROM "${org.schemaName}".projects`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`CREATE TABLE public.planted (id int)`)).rejects.toThrow(/permission denied/);
    });
  });
});
