// `tenantgraph roles rotate`: organizations provisioned before per-organization roles
// existed get theirs, and a new secret takes effect for every login role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { rotateRoles } from "../../src/lifecycle/rotate-roles.ts";
import { resolvePlacement } from "../../src/data/placement.ts";
import { orgRoleName, rolePassword, roleUrl } from "../../src/data/request-roles.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function member(org: Organization) {
  return app.token((await app.createUser([[org, "OWNER"]])).id, org.id);
}

const LIST = `{ projectsConnection(first: 5) { totalCount } }`;

describe("roles rotate", () => {
  it.each(["DATABASE", "SCHEMA"] as const)(
    "gives a %s-tier organization from before per-organization roles its role",
    async (tier) => {
      const org = await app.provisionOrg(`legacy-${tier.toLowerCase()}`, { tier });
      const token = await member(org);
      // What an organization provisioned by the previous version looks like: no role of its own.
      const role = orgRoleName(org)!;
      await withPgClient(resolvePlacement(org, app.servers).url, async (c) => {
        await c.query(`DROP OWNED BY "${role}"`);
        await c.query(`DROP ROLE "${role}"`);
      });
      app.orgClients.evict(resolvePlacement(org, app.servers).key);
      const before = await app.graphql(LIST, { token });
      expect(before.errors?.[0]?.extensions?.code).toBe("TENANT_UNAVAILABLE");

      const results = await rotateRoles(app.lifecycle, { orgs: [org.slug] });
      expect(results).toEqual([{ target: org.slug, login: expect.any(String) }]);
      expect((await app.graphql(LIST, { token })).data).toEqual({ projectsConnection: { totalCount: 0 } });
    },
  );

  it("sets every login role's password from a new secret, and is idempotent", async () => {
    const org = await app.provisionOrg("rotated");
    const role = orgRoleName(org)!;
    const url = resolvePlacement(org, app.servers).url;
    const login = (secret: string) =>
      withPgClient(roleUrl(url, role, rolePassword({ ...app.lifecycle.appRole, password: secret }, role)), (c) =>
        c.query("SELECT 1"),
      );
    const old = app.lifecycle.appRole.password;
    const fresh = `${old}-rotated`;
    try {
      await rotateRoles(
        { ...app.lifecycle, appRole: { ...app.lifecycle.appRole, password: fresh } },
        { orgs: [org.slug] },
      );
      // (A server configured with trust authentication, like some CI PostgreSQLs, ignores passwords.)
      const checksPasswords = await withPgClient(roleUrl(url, role, "wrong"), (c) => c.query("SELECT 1")).then(
        () => false,
        () => true,
      );
      if (checksPasswords) await expect(login(old)).rejects.toThrow(/password authentication failed/);
      await login(fresh);
    } finally {
      await rotateRoles(app.lifecycle, { orgs: [org.slug] });
      await rotateRoles(app.lifecycle, { orgs: [org.slug] });
    }
    await login(old);
  });

  it("refuses to adopt a role of that name that tenantgraph did not create", async () => {
    const slug = app.slugFor("squatted-role");
    await withPgClient(app.servers.main!, (c) => c.query(`CREATE ROLE "org_${slug.replace(/-/g, "_")}" LOGIN`));
    try {
      await expect(app.provisionOrg("squatted-role")).rejects.toThrow(/refusing to adopt/);
    } finally {
      await withPgClient(app.servers.main!, (c) => c.query(`DROP ROLE IF EXISTS "org_${slug.replace(/-/g, "_")}"`));
    }
  });
});
