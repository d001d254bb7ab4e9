// Authentication attacks: forged, expired, unsigned and misdirected tokens are refused
// with UNAUTHENTICATED (HTTP 401); a member of one organization asking for another is
// FORBIDDEN. None of them reaches organization data.
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { changeOrganization } from "../../src/lifecycle/org-changes.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
let acme: Organization;
let globex: Organization;
let alice: { id: string };
const PROJECTS = `{ projectsConnection(first: 100) { edges { node { id name } } } }`;

beforeAll(async () => {
  app = await startTestApp();
  [acme, globex] = await Promise.all([app.provisionOrg("acme"), app.provisionOrg("globex")]);
  alice = await app.createUser([[acme, "OWNER"]]);
});

afterAll(async () => {
  await app?.close();
});

function expectCode(
  response: { status: number; errors?: Array<{ extensions?: { code?: string } }>; data?: unknown },
  code: string,
  status: number,
) {
  expect(response.errors?.[0]?.extensions?.code).toBe(code);
  expect(response.status).toBe(status);
  expect(response.data ?? null).toBeNull();
}

const claims = (orgId: string) => ({ org: orgId });
const sign = (jwt: SignJWT, key: Uint8Array | CryptoKey) =>
  jwt.setIssuer(app.config.auth.issuer).setAudience(app.config.auth.audience).setIssuedAt().sign(key);

describe("tokens", () => {
  it("accepts a valid token", async () => {
    const r = await app.graphql(PROJECTS, { token: await app.token(alice.id, acme.id) });
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ projectsConnection: { edges: [] } });
  });

  it("refuses a missing token for data, but allows introspection", async () => {
    expectCode(await app.graphql(PROJECTS), "UNAUTHENTICATED", 401);
    const introspection = await app.graphql(`{ __schema { queryType { name } } }`);
    expect(introspection.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("refuses a token signed with the wrong key", async () => {
    const forged = await sign(
      new SignJWT(claims(acme.id)).setProtectedHeader({ alg: "HS256" }).setSubject(alice.id).setExpirationTime("1h"),
      new TextEncoder().encode("x".repeat(64)),
    );
    expectCode(await app.graphql(PROJECTS, { token: forged }), "UNAUTHENTICATED", 401);
  });

  it("refuses an expired token", async () => {
    const expired = await sign(
      new SignJWT(claims(acme.id))
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(alice.id)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60),
      new TextEncoder().encode(app.config.auth.secret!),
    );
    expectCode(await app.graphql(PROJECTS, { token: expired }), "UNAUTHENTICATED", 401);
  });

  it("refuses a token that is not valid yet (nbf)", async () => {
    const early = await sign(
      new SignJWT(claims(acme.id))
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(alice.id)
        .setExpirationTime("2h")
        .setNotBefore("1h"),
      new TextEncoder().encode(app.config.auth.secret!),
    );
    expectCode(await app.graphql(PROJECTS, { token: early }), "UNAUTHENTICATED", 401);
  });

  it("refuses an alg:none token", async () => {
    const unsigned = new UnsecuredJWT(claims(acme.id))
      .setSubject(alice.id)
      .setIssuer(app.config.auth.issuer)
      .setAudience(app.config.auth.audience)
      .setExpirationTime("1h")
      .encode();
    expectCode(await app.graphql(PROJECTS, { token: unsigned }), "UNAUTHENTICATED", 401);
  });

  it("refuses a token for another audience or issuer", async () => {
    const key = new TextEncoder().encode(app.config.auth.secret!);
    const otherAudience = await new SignJWT(claims(acme.id))
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(alice.id)
      .setIssuer(app.config.auth.issuer)
      .setAudience("another-api")
      .setExpirationTime("1h")
      .sign(key);
    expectCode(await app.graphql(PROJECTS, { token: otherAudience }), "UNAUTHENTICATED", 401);
    const otherIssuer = await new SignJWT(claims(acme.id))
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(alice.id)
      .setIssuer("evil")
      .setAudience(app.config.auth.audience)
      .setExpirationTime("1h")
      .sign(key);
    expectCode(await app.graphql(PROJECTS, { token: otherIssuer }), "UNAUTHENTICATED", 401);
  });

  it("refuses an RS256 token when only the HS256 secret is configured", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const rsa = await sign(
      new SignJWT(claims(acme.id)).setProtectedHeader({ alg: "RS256" }).setSubject(alice.id).setExpirationTime("1h"),
      privateKey,
    );
    expectCode(await app.graphql(PROJECTS, { token: rsa }), "UNAUTHENTICATED", 401);
  });

  it("refuses a token for an organization that does not exist or was deleted", async () => {
    expectCode(
      await app.graphql(PROJECTS, { token: await app.token(alice.id, "7e0f7a3c-1111-4222-8333-944444444444") }),
      "UNAUTHENTICATED",
      401,
    );
    const doomed = await app.provisionOrg("doomed");
    await app.central.membership.create({ data: { userId: alice.id, orgId: doomed.id, role: "OWNER" } });
    const token = await app.token(alice.id, doomed.id);
    expect((await app.graphql(PROJECTS, { token })).status).toBe(200);
    // Announced (org-changed), as every change of an organization's state is: the app forgets its cached route.
    await changeOrganization(app.lifecycle, doomed.id, { state: "DELETED" });
    expectCode(await app.graphql(PROJECTS, { token }), "UNAUTHENTICATED", 401);
  });

  it("refuses a token whose sid is not a session id", async () => {
    const badSid = await sign(
      new SignJWT({ org: acme.id, sid: "not-a-session" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(alice.id)
        .setExpirationTime("1h"),
      new TextEncoder().encode(app.config.auth.secret!),
    );
    expectCode(await app.graphql(PROJECTS, { token: badSid }), "UNAUTHENTICATED", 401);
  });

  it("refuses a token whose user does not exist", async () => {
    expectCode(
      await app.graphql(`{ me { id } }`, { token: await app.token("7e0f7a3c-1111-4222-8333-944444444444") }),
      "UNAUTHENTICATED",
      401,
    );
  });

  it("forbids a member of one organization from naming another with X-Org-Id", async () => {
    const token = await app.token(alice.id, acme.id);
    expectCode(await app.graphql(PROJECTS, { token, orgId: globex.id }), "FORBIDDEN", 403);
    expectCode(await app.graphql(PROJECTS, { token: await app.token(alice.id, globex.id) }), "FORBIDDEN", 403);
  });

  it("lets a member of several organizations pick one per request with X-Org-Id", async () => {
    const carol = await app.createUser([
      [acme, "MEMBER"],
      [globex, "VIEWER"],
    ]);
    const token = await app.token(carol.id); // no org claim
    expect((await app.graphql(`{ currentOrganization { slug } }`, { token })).data).toEqual({
      currentOrganization: null,
    });
    const noOrg = await app.graphql(PROJECTS, { token });
    expect(noOrg.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const me = await app.graphql(`{ me { id } }`, { token });
    expect(me.data).toEqual({ me: { id: carol.id } });
    for (const org of [acme, globex]) {
      const r = await app.graphql(`{ currentOrganization { slug viewerRole } }`, { token, orgId: org.id });
      expect(r.data.currentOrganization.slug).toBe(org.slug);
    }
  });

  it("refuses an organization that is not READY with TENANT_UNAVAILABLE", async () => {
    const frozen = await app.provisionOrg("frozen");
    await app.central.membership.create({ data: { userId: alice.id, orgId: frozen.id, role: "OWNER" } });
    await app.central.organization.update({ where: { id: frozen.id }, data: { state: "PROVISIONING" } });
    expectCode(await app.graphql(PROJECTS, { token: await app.token(alice.id, frozen.id) }), "TENANT_UNAVAILABLE", 503);
  });
});

describe("asymmetric tokens from a JWKS", () => {
  it("verifies RS256 tokens against the configured key set and refuses other keys", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { createTokenVerifier } = await import("../../src/auth/verify-token.ts");
    const good = await generateKeyPair("RS256");
    const evil = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(good.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const dir = await mkdtemp(path.join(tmpdir(), "jwks-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, "jwks.json");
    await writeFile(file, JSON.stringify({ keys: [jwk] }));
    const verify = await createTokenVerifier({
      jwksFile: file,
      issuer: "idp",
      audience: "api",
      algorithms: ["RS256"],
      tokenTtlSeconds: 60,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlSeconds: 60,
      jwks: { cooldownSeconds: 30, defaultMaxAgeSeconds: 600 },
    });
    const make = (key: CryptoKey) =>
      new SignJWT({ org: acme.id })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setSubject(alice.id)
        .setIssuer("idp")
        .setAudience("api")
        .setExpirationTime("5m")
        .sign(key);
    await expect(verify(await make(good.privateKey))).resolves.toEqual({ userId: alice.id, orgId: acme.id });
    await expect(verify(await make(evil.privateKey))).rejects.toThrow();
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(alice.id)
      .setIssuer("idp")
      .setAudience("api")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("y".repeat(64)));
    await expect(verify(hs)).rejects.toThrow();
  });
});
