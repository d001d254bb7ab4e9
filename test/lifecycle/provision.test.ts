// Provisioning: a crash between creating the database (or schema) and migrating it leaves
// the organization FAILED and unrouted; provisioning again resumes and finishes with one
// database and the full schema. Hostile slugs are refused before anything is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestVersion } from "../../src/data/migrator.ts";
import { quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { provisionOrganization, ProvisionInputError } from "../../src/lifecycle/provision.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function databasesNamed(name: string): Promise<number> {
  return withAdminClient(async (c) =>
    Number((await c.query("SELECT count(*) AS n FROM pg_database WHERE datname = $1", [name])).rows[0].n),
  );
}

/** Migration names recorded in the organization's target and the organization tables present there. */
async function targetState(org: Parameters<typeof resolvePlacement>[0]) {
  const ds = resolvePlacement(org, app.servers);
  return withPgClient(ds.url, async (c) => {
    const schema = ds.schema ?? "public";
    const tables = await c.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [schema],
    );
    const names = tables.rows.map((r) => r.table_name as string);
    const migrations = names.includes("_prisma_migrations")
      ? (
          await c.query(
            `SELECT migration_name FROM ${c.escapeIdentifier(schema)}."_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1`,
          )
        ).rows.map((r) => r.migration_name)
      : [];
    return { tables: names, migrations };
  });
}

describe.each(["DATABASE", "SCHEMA", "SHARED"] as const)("provisioning, %s tier", (tier) => {
  it("resumes after a crash between creating the database and migrating it", async () => {
    const slug = app.slugFor(`crash-${tier.toLowerCase()}`);
    const crash = (step: string) => {
      if (/migrate/.test(step)) throw new Error("simulated crash");
    };
    await expect(
      provisionOrganization({ ...app.lifecycle, beforeStep: crash }, { slug, name: "Crashy", tier }),
    ).rejects.toThrow(/simulated crash/);
    const failed = await app.central.organization.findUniqueOrThrow({ where: { slug } });
    expect(failed.state).toBe("FAILED");
    expect(failed.lastError).toMatch(/migrate.*simulated crash/);

    // Not routed while FAILED.
    const user = await app.createUser([[failed, "OWNER"]]);
    const token = await app.token(user.id, failed.id);
    expect((await app.graphql(`{ currentOrganization { id } }`, { token })).errors?.[0]?.extensions?.code).toBe(
      "TENANT_UNAVAILABLE",
    );

    const ready = await provisionOrganization(app.lifecycle, { slug, name: "Crashy", tier });
    expect(ready.id).toBe(failed.id);
    expect(ready.state).toBe("READY");
    expect(ready.lastError).toBeNull();
    expect(ready.schemaVersion).toBe(latestVersion(app.lifecycle.migrations!));
    expect(await databasesNamed(ready.databaseName)).toBe(1);
    const state = await targetState(ready);
    expect(state.migrations).toEqual(app.lifecycle.migrations!.map((m) => m.name));
    expect(state.tables).toEqual(expect.arrayContaining(["projects", "items"]));
    expect((await app.graphql(`{ currentOrganization { id } }`, { token })).data).toEqual({
      currentOrganization: { id: ready.id },
    });

    // Once more: nothing changes.
    const again = await provisionOrganization(app.lifecycle, { slug, name: "Crashy", tier });
    expect(again.updatedAt).toEqual(ready.updatedAt);
  });
});

describe("provisioning input", () => {
  const HOSTILE = [
    'acme"; DROP DATABASE postgres; --',
    "acme'; --",
    "acme;drop",
    "acme corp",
    "ACME",
    "acmé",
    "ａｃｍｅ",
    "ac",
    "a".repeat(41),
    "-acme",
    "acme-",
    "acme--x",
    "acme_x",
    "template1",
    "postgres",
    "admin",
    "",
  ];

  it.each(HOSTILE)("refuses the slug %j and writes nothing", async (slug) => {
    const orgsBefore = await app.central.organization.count();
    const databasesBefore = await withAdminClient(async (c) =>
      (await c.query("SELECT datname FROM pg_database ORDER BY 1")).rows.map((r) => r.datname),
    );
    const error = await provisionOrganization(app.lifecycle, { slug, name: "Hostile" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisionInputError);
    expect((error as ProvisionInputError).field).toBe("slug");
    expect(await app.central.organization.count()).toBe(orgsBefore);
    const databasesAfter = await withAdminClient(async (c) =>
      (await c.query("SELECT datname FROM pg_database ORDER BY 1")).rows.map((r) => r.datname),
    );
    // Other test files create databases (and their template databases) in parallel: none of the new ones may be ours.
    const ours = (d: string) => /acme|hostile|template|admin/.test(d) && !/_template_[0-9a-f]{12}(_part)?$/.test(d);
    expect(databasesAfter.filter((d: string) => !databasesBefore.includes(d) && ours(d))).toEqual([]);
  });

  it("refuses a database that exists but is not ours, and leaves it alone", async () => {
    const slug = app.slugFor("squatted");
    const name = `org_${slug.replace(/-/g, "_")}`;
    await withAdminClient((c) => c.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    try {
      const error = await provisionOrganization(app.lifecycle, { slug, name: "Squatted" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProvisionInputError);
      expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
      expect(await databasesNamed(name)).toBe(1);
    } finally {
      await withAdminClient((c) => c.query(`DROP DATABASE ${quoteIdentifier(name)}`));
    }
  });

  it("refuses unknown servers and tiers, and taken slugs", async () => {
    await expect(
      provisionOrganization(app.lifecycle, { slug: app.slugFor("nowhere"), name: "X", server: "mars" }),
    ).rejects.toMatchObject({ field: "server" });
    await expect(
      provisionOrganization(app.lifecycle, { slug: app.slugFor("weird"), name: "X", tier: "CLOUD" as never }),
    ).rejects.toMatchObject({ field: "tier" });
    await expect(
      provisionOrganization(app.lifecycle, { slug: app.slugFor("noname"), name: "  " }),
    ).rejects.toMatchObject({ field: "name" });
  });
});

describe("concurrent provisioning", () => {
  it("provisions organizations of every tier at the same time on a fresh server prefix", async () => {
    const fresh = await startTestApp();
    try {
      const results = await Promise.all(
        (["SCHEMA", "SCHEMA", "SCHEMA", "SHARED", "SHARED", "SHARED", "DATABASE"] as const).map((tier, i) =>
          fresh.provisionOrg(`together-${i}`, { tier, server: i % 2 ? "second" : "main" }),
        ),
      );
      expect(results.map((o) => o.state)).toEqual(Array(7).fill("READY"));
    } finally {
      await fresh.close();
    }
  });

  it("lets a self-service owner resume a failed provisioning, and nobody else take the slug", async () => {
    const slug = app.slugFor("self-service");
    const owner = await app.createUser();
    const other = await app.createUser();
    const crash = () => {
      throw new Error("simulated crash");
    };
    await expect(
      provisionOrganization({ ...app.lifecycle, beforeStep: crash }, { slug, name: "Mine", ownerId: owner.id }),
    ).rejects.toThrow();
    await expect(
      provisionOrganization(app.lifecycle, { slug, name: "Theirs", ownerId: other.id }),
    ).rejects.toMatchObject({ field: "slug" });
    const org = await provisionOrganization(app.lifecycle, { slug, name: "Mine", ownerId: owner.id });
    expect(org.state).toBe("READY");
    expect(
      await app.central.membership.findMany({ where: { orgId: org.id }, select: { userId: true, role: true } }),
    ).toEqual([{ userId: owner.id, role: "OWNER" }]);
    await expect(provisionOrganization(app.lifecycle, { slug, name: "Mine", ownerId: owner.id })).rejects.toMatchObject(
      { field: "slug" },
    );
  });
});
