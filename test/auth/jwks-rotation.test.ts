// Key rotation with JWKS_URL, against a local JWKS server: keys are selected by `kid`, an
// unknown kid triggers a refetch (once per cooldown), the keys are kept as long as the
// server's Cache-Control says, and a token signed by a key the server removed is refused once
// the keys were fetched again. The unit part drives a fake clock; the app part real time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheLifetimeMs } from "../../src/auth/remote-key-set.ts";
import { createTokenVerifier } from "../../src/auth/verify-token.ts";
import type { AuthConfig } from "../../src/config.ts";
import { startTestApp } from "../helpers/app.ts";

const USER = "7e0f7a3c-1111-4222-8333-944444444444";

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}

/** The identity provider's key endpoint: publishes `keys` with `cacheControl`, counts requests. */
const idp = { keys: [] as Key[], cacheControl: "max-age=60", requests: 0, url: "" };
let server: Server;

beforeAll(async () => {
  server = createServer((_req, res) => {
    idp.requests++;
    res.writeHead(200, { "content-type": "application/json", "cache-control": idp.cacheControl });
    res.end(JSON.stringify({ keys: idp.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  idp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

function sign(key: Key, issuer = "idp", audience = "api", subject = USER, claims: object = {}): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "ES256", kid: key.kid })
    .setSubject(subject)
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime("10m")
    .sign(key.privateKey);
}

const AUTH: AuthConfig = {
  issuer: "idp",
  audience: "api",
  algorithms: ["ES256"],
  tokenTtlSeconds: 60,
  accessTokenTtlSeconds: 60,
  refreshTokenTtlSeconds: 60,
  jwks: { cooldownSeconds: 30, defaultMaxAgeSeconds: 600 },
};

describe("the key set of JWKS_URL", () => {
  it("selects keys by kid, refetches on an unknown kid once per cooldown, honours max-age, and drops removed keys", async () => {
    let clock = 1_000_000;
    const [k1, k2] = [await newKey("k1"), await newKey("k2")];
    idp.keys = [k1];
    idp.cacheControl = "max-age=60";
    idp.requests = 0;
    const verify = await createTokenVerifier({ ...AUTH, jwksUrl: idp.url }, { now: () => clock });
    const [t1, t2] = [await sign(k1), await sign(k2)];

    await expect(verify(t1)).resolves.toEqual({ userId: USER });
    await expect(verify(t1)).resolves.toEqual({ userId: USER });
    expect(idp.requests).toBe(1); // fresh for 60 s: no second fetch
    // The provider's own `sid` (OIDC session id, any format) is not one of our sessions.
    const withSid = await sign(k1, "idp", "api", USER, { sid: "idp-session-42" });
    await expect(verify(withSid)).resolves.toEqual({ userId: USER });

    // Rotation, step 1: the provider publishes k2 next to k1. Within the cooldown an unknown kid fetches nothing.
    idp.keys = [k1, k2];
    clock += 10_000;
    await expect(verify(t2)).rejects.toThrow();
    expect(idp.requests).toBe(1);
    clock += 21_000; // 31 s after the fetch: the unknown kid fetches again, at once
    await expect(verify(t2)).resolves.toEqual({ userId: USER });
    expect(idp.requests).toBe(2);
    await expect(verify(t1)).resolves.toEqual({ userId: USER }); // k1 is still published
    // Made-up kids cannot make us hammer the provider: one fetch per cooldown at most.
    const bogus = await sign(await newKey("made-up"));
    for (let i = 0; i < 5; i++) await expect(verify(bogus)).rejects.toThrow();
    expect(idp.requests).toBe(2);

    // Step 2: k1 is removed. Its tokens are accepted while our copy is fresh, refused once it was fetched again.
    idp.keys = [k2];
    clock += 20_000;
    await expect(verify(t1)).resolves.toEqual({ userId: USER });
    expect(idp.requests).toBe(2);
    clock += 41_000; // 61 s after the last fetch: stale
    await expect(verify(t1)).rejects.toThrow();
    expect(idp.requests).toBe(3);
    await expect(verify(t2)).resolves.toEqual({ userId: USER });
    expect(idp.requests).toBe(3);
  });

  it("reads the cache lifetime from Cache-Control (s-maxage first, minus Age) or Expires", () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(cacheLifetimeMs(h({ "cache-control": "public, max-age=300" }))).toBe(300_000);
    expect(cacheLifetimeMs(h({ "cache-control": "max-age=300, s-maxage=60" }))).toBe(60_000);
    expect(cacheLifetimeMs(h({ "cache-control": "max-age=300", age: "100" }))).toBe(200_000);
    expect(cacheLifetimeMs(h({ "cache-control": "no-store" }))).toBe(0);
    const date = new Date("2026-01-01T00:00:00Z");
    expect(
      cacheLifetimeMs(h({ date: date.toUTCString(), expires: new Date(date.getTime() + 90_000).toUTCString() })),
    ).toBe(90_000);
    expect(cacheLifetimeMs(h({ expires: "0" }))).toBe(0);
    expect(cacheLifetimeMs(h({}))).toBeUndefined();
  });
});

describe("an app with JWKS_URL", () => {
  it("accepts an old key's tokens while the provider publishes it and refuses them after the rotation", async () => {
    const [k1, k2] = [await newKey("app-k1"), await newKey("app-k2")];
    idp.keys = [k1];
    idp.cacheControl = "max-age=1";
    const app = await startTestApp({
      env: { JWKS_URL: idp.url, JWT_ISSUER: "idp", JWT_AUDIENCE: "api", JWKS_COOLDOWN_SECONDS: "0" },
    });
    try {
      const user = await app.createUser();
      const [old, next] = [await sign(k1, "idp", "api", user.id), await sign(k2, "idp", "api", user.id)];
      const me = (token: string) => app.graphql(`{ me { id } }`, { token });
      expect((await me(old)).data).toEqual({ me: { id: user.id } });
      idp.keys = [k1, k2]; // rotation: the new key is published next to the old one
      expect((await me(next)).data).toEqual({ me: { id: user.id } }); // unknown kid: fetched at once
      expect((await me(old)).data).toEqual({ me: { id: user.id } });
      idp.keys = [k2]; // the old key is withdrawn
      const deadline = Date.now() + 10_000;
      while ((await me(old)).status !== 401) {
        if (Date.now() > deadline) throw new Error("the withdrawn key's token was still accepted after 10 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await me(next)).data).toEqual({ me: { id: user.id } });
    } finally {
      await app.close();
    }
  });
});
