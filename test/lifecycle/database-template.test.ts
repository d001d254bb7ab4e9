// DATABASE-tier organizations are copies of a pre-migrated template database: a copy ends
// exactly like a database the migrations built (schema, owners, privileges, migration
// bookkeeping, recorded version); the template holds no organization's grants and admits
// no connection; a half-built template is never used; another set of migrations names
// another template, and `migrate` drops stale ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { ensureDatabaseFrom, templateNameFor } from "../../src/data/database-templates.ts";
import { latestVersion, migrateDatabase } from "../../src/data/migrator.ts";
import { databaseUrlOn, resolvePlacement } from "../../src/data/placement.ts";
import { dropDatabase, ensureDatabase, withPgClient } from "../../src/data/server-admin.ts";
import { dropStaleTemplates } from "../../src/lifecycle/database-tier.ts";
import { provisionOrganization } from "../../src/lifecycle/provision.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { serverUrl, withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const prefix = () => app.config.defaults.hostDatabasePrefix;

/** Everything that must not differ between two organizations' databases, their own names replaced by "ORG". */
async function describeDatabase(org: Organization) {
  const ds = resolvePlacement(org, app.servers);
  const own = (text: unknown) => JSON.stringify(text).replaceAll(org.databaseName, "ORG");
  const rows = async (sql: string) => (await withAdminClient((c) => c.query(sql), ds.url)).rows.map(own);
  return {
    database: await rows(
      `SELECT datdba::regrole, datacl, datistemplate, datallowconn, encoding, datcollate, datctype
         FROM pg_database WHERE datname = current_database()`,
    ),
    columns: await rows(
      `SELECT table_name, column_name, data_type, column_default, is_nullable
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
    ),
    relations: await rows(
      `SELECT c.relname, c.relkind, c.relowner::regrole, c.relacl, c.relrowsecurity, c.relforcerowsecurity
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    ),
    definitions: await rows(
      `SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
       UNION ALL SELECT tgrelid::regclass, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
       UNION ALL SELECT tablename::regclass, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
       ORDER BY 1, 2`,
    ),
    schemas: await rows(`SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace ORDER BY 1`),
    // Function privileges (the revoked large-object functions) and the public schema's own functions.
    functions: await rows(
      `SELECT p.oid::regprocedure, p.proowner::regrole, p.proacl, md5(p.prosrc) FROM pg_proc p
        WHERE p.proacl IS NOT NULL OR p.pronamespace = 'public'::regnamespace ORDER BY 1`,
    ),
    migrations: await rows(
      `SELECT migration_name, checksum, logs, applied_steps_count, finished_at IS NOT NULL AS finished,
              rolled_back_at IS NULL AS current
         FROM _prisma_migrations ORDER BY migration_name`,
    ),
    role: await rows(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolcanlogin, rolinherit
         FROM pg_roles WHERE rolname = '${org.databaseName}'`,
    ),
    recorded: own(
      await app.central.organization.findUniqueOrThrow({
        where: { id: org.id },
        select: { state: true, schemaVersion: true, lastError: true },
      }),
    ),
  };
}

describe("DATABASE tier from a template", () => {
  it("copies end identical to databases built by the migrations, and the template holds nothing of theirs", async () => {
    // Two at once on a server without the template: one builds it, the other waits for it.
    const copies = await Promise.all(["copy-a", "copy-b"].map((name) => app.provisionOrg(name, { tier: "DATABASE" })));
    // The way before templates: an empty database (made before the step, which then leaves
    // it alone), into which the migrate step runs every migration.
    const built = await provisionOrganization(
      {
        ...app.lifecycle,
        beforeStep: async (step, org) => {
          if (step === "create database") await ensureDatabase(serverUrl(), org.databaseName);
        },
      },
      { slug: app.slugFor("built"), name: "Built", tier: "DATABASE" },
    );
    const expected = await describeDatabase(built);
    expect(expected.migrations).toHaveLength(app.lifecycle.migrations!.length);
    expect(expected.relations.join()).toContain("ORG=arwd/"); // grants to the organization's role are compared
    for (const copy of copies) expect(await describeDatabase(copy)).toEqual(expected);

    const template = templateNameFor(prefix(), app.lifecycle.migrations!);
    const state = await withAdminClient(
      async (c) =>
        (
          await c.query(
            `SELECT d.datistemplate, d.datallowconn, d.datacl::text,
                    (SELECT count(*)::int FROM pg_shdepend s WHERE s.dbid = d.oid AND s.deptype = 'a') AS grants
               FROM pg_database d WHERE d.datname = $1`,
            [template],
          )
        ).rows,
    );
    // A template; no connections; no CONNECT for PUBLIC; nobody granted anything in it.
    expect(state).toEqual([
      { datistemplate: true, datallowconn: false, datacl: expect.not.stringMatching(/[{,]=/), grants: 0 },
    ]);
  });

  it("never uses a half-built template, and the next build replaces it", async () => {
    const migrations = app.lifecycle.migrations!;
    const template = { name: `${prefix()}_template_0123456789ab`, version: latestVersion(migrations)! };
    const target = `${prefix()}_halfbuilt`;
    const killed = ensureDatabaseFrom(serverUrl(), target, {
      ...template,
      build: async (url) => {
        await withPgClient(url, (c) => migrateDatabase(c, migrations.slice(0, 1)));
        throw new Error("killed mid-build");
      },
    });
    await expect(killed).rejects.toThrow(/killed mid-build/);
    const names = async () =>
      withAdminClient(async (c) =>
        (await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1", [`${prefix()}_%`])).rows.map(
          (r) => r.datname as string,
        ),
      );
    expect(await names()).not.toContain(template.name);
    expect(await names()).not.toContain(target);

    try {
      const build = (url: string) => withPgClient(url, async (c) => void (await migrateDatabase(c, migrations)));
      expect(await ensureDatabaseFrom(serverUrl(), target, { ...template, build })).toBe(true);
      expect(await names()).toEqual(expect.arrayContaining([template.name, target]));
      expect(await names()).not.toContain(`${template.name}_part`);
      const applied = await withPgClient(databaseUrlOn(serverUrl(), target), (c) =>
        c.query("SELECT migration_name FROM _prisma_migrations ORDER BY 1"),
      );
      expect(applied.rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    } finally {
      await dropDatabase(serverUrl(), target);
    }
  });

  it("names another template for other migrations, and drops only templates older than a version", async () => {
    const migrations = app.lifecycle.migrations!;
    const newer = [...migrations, { name: "29990101000000_later", sql: "SELECT 1", checksum: "c".repeat(64) }];
    expect(templateNameFor(prefix(), newer)).not.toBe(templateNameFor(prefix(), migrations));
    const stale = templateNameFor(prefix(), migrations);
    await app.provisionOrg("before-stale", { tier: "DATABASE" }); // the current template exists
    const newerName = `${prefix()}_template_fedcba987654`;
    await ensureDatabaseFrom(serverUrl(), `${prefix()}_newer_copy`, {
      name: newerName,
      version: "29990101000000_later",
      build: async () => undefined,
    });
    await dropDatabase(serverUrl(), `${prefix()}_newer_copy`);
    // What `migrate` does after migrating to the newer migrations.
    const dropped = await dropStaleTemplates({ ...app.lifecycle, migrations: newer });
    expect(dropped).toContain(`${stale}@main`);
    expect(dropped.join()).not.toContain(newerName);
    // Provisioning after the drop builds the template again.
    expect((await app.provisionOrg("after-stale", { tier: "DATABASE" })).state).toBe("READY");
  });
});
