// Organizations by host name: a subdomain given at creation and a custom domain proven by a
// DNS TXT record (a resolver the test controls) select their organization; the membership
// check still applies; a token claim or X-Org-Id naming another organization on that host is
// refused (ORG_HOST_MISMATCH); unknown and hostile hosts fall back to today's behaviour.
// A second process (reading X-Forwarded-Host) learns of host changes through org-changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createApp, type App } from "../../src/app.ts";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { requestVia } from "../helpers/second-instance.ts";

const SUFFIX = "app.test";
const txtRecords = new Map<string, string[][]>();
let app: TestApp;
let proxied: App;
let owner: { id: string; token: string };
let acme: { id: string; host: string; ownerToken: string };
let globex: Organization;

const CURRENT = `{ currentOrganization { id } }`;

function currentOrgVia(target: Pick<App, "yoga">, token: string, headers: Record<string, string>) {
  return requestVia<{ currentOrganization: { id: string } | null }>(target, CURRENT, { token, headers });
}

/** Polls until `check` passes (host changes reach each process through a notification). */
async function eventually(check: () => Promise<void>, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

beforeAll(async () => {
  app = await startTestApp({
    env: { ORG_HOST_SUFFIX: SUFFIX },
    txtResolver: async (name) => {
      const records = txtRecords.get(name);
      if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      return records;
    },
  });
  // A second process, behind a proxy that writes X-Forwarded-Host.
  proxied = await createApp(
    { ...app.config, orgHosts: { ...app.config.orgHosts, header: "x-forwarded-host" } },
    app.servers.main!,
    { logger: pino({ level: "silent" }) },
  );
  const user = await app.createUser();
  owner = { id: user.id, token: await app.token(user.id) };
  const subdomain = `acme-${app.slugFor("x").slice(2)}`;
  const created = dataOf(
    await app.graphql(op("CreateOrganization"), {
      token: owner.token,
      variables: { input: { name: "Acme", slug: app.slugFor("acme"), subdomain } },
    }),
  ).createOrganization;
  acme = { id: created.organization!.id, host: `${subdomain}.${SUFFIX}`, ownerToken: created.token };
  globex = await app.provisionOrg("globex");
});
afterAll(async () => {
  await proxied?.close();
  await app?.close();
});

describe("a subdomain given at creation", () => {
  it("is recorded and selects its organization for a member whose token names none", async () => {
    expect(await app.central.orgHost.findMany({ where: { orgId: acme.id } })).toEqual([
      expect.objectContaining({ host: acme.host, kind: "SUBDOMAIN" }),
    ]);
    // A member of two organizations: without a host nothing is selected.
    const both = await app.createUser([[globex, "MEMBER"]]);
    await app.central.membership.create({ data: { userId: both.id, orgId: acme.id, role: "VIEWER" } });
    const token = await app.token(both.id);
    expect(dataOf(await currentOrgVia(app, token, {})).currentOrganization).toBeNull();
    for (const host of [acme.host, acme.host.toUpperCase(), `${acme.host}.`, `${acme.host}:8443`]) {
      await eventually(async () => {
        expect(dataOf(await currentOrgVia(app, token, { host })).currentOrganization).toEqual({ id: acme.id });
      });
    }
  });

  it("still needs a membership: a non-member on the host is FORBIDDEN", async () => {
    const outsider = await app.createUser([[globex, "OWNER"]]);
    const response = await currentOrgVia(app, await app.token(outsider.id), { host: acme.host });
    expect(response.status).toBe(403);
    expect(errorOf(response).code).toBe("FORBIDDEN");
  });

  it("refuses a token claim or X-Org-Id naming another organization on the host (ORG_HOST_MISMATCH)", async () => {
    const both = await app.createUser([[globex, "OWNER"]]);
    await app.central.membership.create({ data: { userId: both.id, orgId: acme.id, role: "OWNER" } });
    const globexToken = await app.token(both.id, globex.id);
    const claim = await currentOrgVia(app, globexToken, { host: acme.host });
    expect(claim.status).toBe(403);
    expect(errorOf(claim)).toMatchObject({ code: "ORG_HOST_MISMATCH" });
    expect(claim.data).toBeUndefined();
    const header = await currentOrgVia(app, await app.token(both.id), { host: acme.host, "x-org-id": globex.id });
    expect(errorOf(header).code).toBe("ORG_HOST_MISMATCH");
    // Naming the host's own organization is fine.
    const same = await currentOrgVia(app, await app.token(both.id, acme.id), { host: acme.host, "x-org-id": acme.id });
    expect(dataOf(same).currentOrganization).toEqual({ id: acme.id });
    // Elsewhere the claim works as today.
    expect(dataOf(await currentOrgVia(app, globexToken, { host: `other.${SUFFIX}` })).currentOrganization).toEqual({
      id: globex.id,
    });
  });

  it("hostile Host headers select nothing and break nothing: today's behaviour applies", async () => {
    const member = await memberOf(app, globex, "MEMBER");
    const hostile = [
      "a".repeat(50_000),
      `${acme.host}.evil.test`,
      `evil.test`,
      `x${acme.host}`,
      "127.0.0.1",
      "[::1]:443",
      `${acme.host}:99999999`,
      `${acme.host}..`,
      "b\u00fccher.app.test",
    ];
    for (const host of hostile) {
      const response = await currentOrgVia(app, member.token, { host });
      expect(dataOf(response).currentOrganization, host.slice(0, 40)).toEqual({ id: globex.id });
    }
  });

  it("refuses a taken, reserved or malformed subdomain, creating nothing", async () => {
    const taken = acme.host.slice(0, -SUFFIX.length - 1);
    for (const [subdomain, name] of [
      [taken, "taken"],
      ["www", "reserved"],
      ["not a label", "malformed"],
    ] as const) {
      const slug = app.slugFor(`sub-${name}`);
      const response = await app.graphql(op("CreateOrganization"), {
        token: owner.token,
        variables: { input: { name, slug, subdomain } },
      });
      expect(errorOf(response), name).toMatchObject({ code: "BAD_USER_INPUT", field: "subdomain" });
      expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
    }
  });
});

describe("custom domains", () => {
  it("are for owners: an admin may not add one", async () => {
    const admin = await app.createUser();
    await app.central.membership.create({ data: { userId: admin.id, orgId: acme.id, role: "ADMIN" } });
    const response = await app.graphql(op("AddCustomDomain"), {
      token: await app.token(admin.id, acme.id),
      variables: { domain: "admins.example" },
    });
    expect(errorOf(response).code).toBe("FORBIDDEN");
    expect(await app.central.orgHostClaim.count({ where: { host: "admins.example" } })).toBe(0);
  });

  it("select the organization once the TXT record proves them, in every process; removal stops that", async () => {
    const domain = `projects-${acme.id.slice(0, 8)}.example`;
    const member = await app.createUser([[globex, "MEMBER"]]);
    await app.central.membership.create({ data: { userId: member.id, orgId: acme.id, role: "MEMBER" } });
    const token = await app.token(member.id);
    // The second process has loaded its host names before the domain exists.
    expect(dataOf(await currentOrgVia(proxied, token, { "x-forwarded-host": domain })).currentOrganization).toBeNull();

    const added = dataOf(
      await app.graphql(op("AddCustomDomain"), {
        token: acme.ownerToken,
        variables: { domain: `${domain.toUpperCase()}.` },
      }),
    ).addCustomDomain;
    expect(added).toMatchObject({
      host: domain,
      kind: "CUSTOM",
      verified: false,
      txtRecordName: `_tenantgraph.${domain}`,
    });
    expect(added.txtRecordValue).toMatch(/^tenantgraph-verification=[0-9a-f]{32}$/);
    const verify = () => app.graphql(op("VerifyCustomDomain"), { token: acme.ownerToken, variables: { domain } });

    // Not published yet, then published with another value: refused, nothing selects.
    expect(errorOf(await verify())).toMatchObject({ code: "BAD_USER_INPUT", field: "domain" });
    txtRecords.set(added.txtRecordName!, [["tenantgraph-verification=0000"]]);
    expect(errorOf(await verify()).code).toBe("BAD_USER_INPUT");
    expect(dataOf(await currentOrgVia(app, token, { host: domain })).currentOrganization).toBeNull();

    // Long TXT values arrive in chunks.
    const value = added.txtRecordValue!;
    txtRecords.set(added.txtRecordName!, [["v=spf1 -all"], [value.slice(0, 10), value.slice(10)]]);
    expect(dataOf(await verify()).verifyCustomDomain).toMatchObject({ host: domain, verified: true });
    await eventually(async () => {
      expect(dataOf(await currentOrgVia(app, token, { host: domain })).currentOrganization).toEqual({ id: acme.id });
      expect(
        dataOf(await currentOrgVia(proxied, token, { "x-forwarded-host": `lb.internal, ${domain}` }))
          .currentOrganization,
      ).toEqual({ id: acme.id });
    });
    // The proxied process reads X-Forwarded-Host only, the first one the Host header only.
    expect(dataOf(await currentOrgVia(proxied, token, { host: domain })).currentOrganization).toBeNull();
    expect(dataOf(await currentOrgVia(app, token, { "x-forwarded-host": domain })).currentOrganization).toBeNull();

    const hostNames = dataOf(await app.graphql(op("HostNames"), { token: acme.ownerToken })).hostNames;
    expect(hostNames.map((h) => [h.host, h.kind, h.verified])).toEqual(
      [
        [acme.host, "SUBDOMAIN", true],
        [domain, "CUSTOM", true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    // Another organization cannot take it.
    const globexOwner = await memberOf(app, globex, "OWNER");
    expect(
      errorOf(await app.graphql(op("AddCustomDomain"), { token: globexOwner.token, variables: { domain } })),
    ).toMatchObject({ code: "CONFLICT", field: "domain" });

    expect(
      dataOf(await app.graphql(op("RemoveHostName"), { token: acme.ownerToken, variables: { host: domain } }))
        .removeHostName,
    ).toBe(true);
    await eventually(async () => {
      expect(dataOf(await currentOrgVia(app, token, { host: domain })).currentOrganization).toBeNull();
      expect(
        dataOf(await currentOrgVia(proxied, token, { "x-forwarded-host": domain })).currentOrganization,
      ).toBeNull();
    });
  });

  it("another organization's owner can neither remove a host nor verify with the other organization's record", async () => {
    const other = (await memberOf(app, globex, "OWNER")).token;
    const add = (domain: string, token: string) => app.graphql(op("AddCustomDomain"), { token, variables: { domain } });
    const verify = (domain: string, token: string) =>
      app.graphql(op("VerifyCustomDomain"), { token, variables: { domain } });
    const remove = (host: string, token: string) => app.graphql(op("RemoveHostName"), { token, variables: { host } });

    // Removing acme's subdomain from globex changes nothing.
    expect(dataOf(await remove(acme.host, other)).removeHostName).toBe(false);
    expect(await app.central.orgHost.count({ where: { host: acme.host, orgId: acme.id } })).toBe(1);

    // Both claim one domain; acme publishes its record: only acme can verify with it.
    const domain = `contested-${acme.id.slice(0, 8)}.example`;
    const acmeClaim = dataOf(await add(domain, acme.ownerToken)).addCustomDomain;
    const otherClaim = dataOf(await add(domain, other)).addCustomDomain;
    expect(otherClaim.txtRecordValue).not.toBe(acmeClaim.txtRecordValue);
    txtRecords.set(acmeClaim.txtRecordName!, [[acmeClaim.txtRecordValue!]]);
    expect(errorOf(await verify(domain, other)).code).toBe("BAD_USER_INPUT");
    dataOf(await verify(domain, acme.ownerToken));
    // Now it is acme's: the other claim is gone and a new one is refused.
    expect(await app.central.orgHostClaim.count({ where: { host: domain } })).toBe(0);
    expect(errorOf(await add(domain, other)).code).toBe("CONFLICT");
    dataOf(await remove(domain, acme.ownerToken));
  });

  it("refuses names under the suffix and things that are not domain names", async () => {
    for (const domain of [`mine.${SUFFIX}`, "127.0.0.1", "no_underscores.example", "x".repeat(301)]) {
      const response = await app.graphql(op("AddCustomDomain"), { token: acme.ownerToken, variables: { domain } });
      expect(errorOf(response), domain.slice(0, 30)).toMatchObject({ code: "BAD_USER_INPUT", field: "domain" });
    }
  });
});
