// A token that verified is remembered by its exact text until its exp, never longer; any
// other text (a tampered signature or claim) is verified in full and refused.
import { SignJWT } from "jose";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createTokenVerifier } from "../../src/auth/verify-token.ts";
import { VerifiedTokenCache } from "../../src/auth/verified-token-cache.ts";

const SECRET = "s".repeat(40);
const AUTH = {
  secret: SECRET,
  issuer: "tenantgraph",
  audience: "tenantgraph",
  algorithms: ["HS256"],
  tokenTtlSeconds: 60,
  accessTokenTtlSeconds: 60,
  refreshTokenTtlSeconds: 60,
  jwks: { cooldownSeconds: 30, defaultMaxAgeSeconds: 600 },
};
const USER = "6f1c1f7e-2d7a-4c3b-9a51-0d5e2b0c9f10";

const sign = (exp: number | string, sub = USER) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(AUTH.issuer)
    .setAudience(AUTH.audience)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));

describe("verified tokens are remembered", () => {
  it("answers a remembered token until its exp and forgets it then", () => {
    const cache = new VerifiedTokenCache<{ userId: string }>();
    cache.set("t", { userId: "u" }, 1_000);
    expect(cache.get("t", 999_999)).toEqual({ userId: "u" });
    expect(cache.get("t", 1_000_000)).toBeUndefined(); // jose: expired once now >= exp
    expect(cache.size).toBe(0);
  });

  it("hands every request its own copy", () => {
    const cache = new VerifiedTokenCache<{ userId: string }>();
    cache.set("t", { userId: "u" }, Date.now() / 1000 + 60);
    cache.get("t")!.userId = "changed";
    expect(cache.get("t")).toEqual({ userId: "u" });
  });

  it("checks a token's signature once, still refuses a tampered copy, and never remembers a failure", async () => {
    const verify = await createTokenVerifier(AUTH);
    const token = await sign("5m");
    const signatureChecks = vi.spyOn(crypto.subtle, "verify");
    onTestFinished(() => signatureChecks.mockRestore());
    expect(await verify(token)).toEqual({ userId: USER, orgId: undefined });
    expect(await verify(token)).toEqual({ userId: USER, orgId: undefined });
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    const [header, payload, signature] = token.split(".");
    const flipped = signature!.slice(0, -2) + (signature!.endsWith("AA") ? "BB" : "AA");
    await expect(verify(`${header}.${payload}.${flipped}`)).rejects.toThrow();
    const other = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sub: "x" }),
    );
    await expect(verify(`${header}.${other.toString("base64url")}.${signature}`)).rejects.toThrow();
    const expired = await sign(Math.floor(Date.now() / 1000) - 1);
    await expect(verify(expired)).rejects.toThrow();
    await expect(verify(expired)).rejects.toThrow();
  });
});

describe("the secret as a key", () => {
  it("is imported once per HMAC algorithm, and a token still verifies only under the algorithm it was signed with", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    onTestFinished(() => importKey.mockRestore());
    const verify = await createTokenVerifier({ ...AUTH, algorithms: ["HS256", "HS384"] });
    const raw = new TextEncoder().encode(SECRET);
    const signed = (alg: string, n: number) =>
      new SignJWT({ n })
        .setProtectedHeader({ alg })
        .setSubject(USER)
        .setIssuer(AUTH.issuer)
        .setAudience(AUTH.audience)
        .setExpirationTime("1h")
        .sign(raw);
    const tokens = await Promise.all([1, 2, 3].flatMap((n) => [signed("HS256", n), signed("HS384", n)]));
    importKey.mockClear();
    for (const token of tokens) expect((await verify(token)).userId).toBe(USER);
    expect(importKey.mock.calls.map(([, , algorithm]) => (algorithm as { hash: string }).hash).sort()).toEqual([
      "SHA-256",
      "SHA-384",
    ]);
    // An HS256 signature under a header that says HS384: the HS384 key does not verify it.
    const [header, payload, signature] = tokens[0]!.split(".");
    const relabelled = `${Buffer.from(JSON.stringify({ alg: "HS384" })).toString("base64url")}.${payload}.${signature}`;
    expect(header).not.toBe(relabelled.split(".")[0]);
    await expect(verify(relabelled)).rejects.toThrow(/signature/);
  });
});
