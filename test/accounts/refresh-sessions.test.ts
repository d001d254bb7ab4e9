// Sessions on one process: log-in returns a short-lived access token bound to a session
// (`sid`) and a refresh token stored only as a hash; refreshing rotates it; a refresh token
// used twice ends the whole session (theft detection); mySessions, logOut and changePassword.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { hashRefreshToken } from "../../src/accounts/session-store.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

const ACCESS_TTL = 300;
let app: TestApp;
let acme: Organization;
const reused: Array<{ userId: string; sessionId: string; revoked: boolean }> = [];

const email = () => `s-${crypto.randomUUID().slice(0, 8)}@example.test`;
const PASSWORD = "a long enough password";
const ME = `{ me { id } }`;

const logIn = (address: string, agent = "test-agent/1.0", password = PASSWORD) =>
  app.graphql(op("LogIn"), { variables: { input: { email: address, password } }, headers: { "user-agent": agent } });

/** A new account and its first session (signUp answers without one: logIn starts it). */
async function signedUp(agent = "test-agent/1.0") {
  const address = email();
  dataOf(await app.graphql(op("SignUp"), { variables: { input: { email: address, password: PASSWORD } } }));
  const session = dataOf(await logIn(address, agent)).logIn;
  return { ...session, email: address };
}
const refresh = (refreshToken: string) => app.graphql(op("RefreshSession"), { variables: { refreshToken } });

beforeAll(async () => {
  app = await startTestApp({
    env: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL) },
    onRefreshTokenReused: (event) => void reused.push(event),
  });
  acme = await app.provisionOrg("acme");
});
afterAll(() => app?.close());

describe("log-in and refresh", () => {
  it("returns a short-lived access token naming its session, and a refresh token stored only as a hash", async () => {
    const session = await signedUp();
    const claims = decodeJwt(session.token);
    expect(claims.exp! - claims.iat!).toBe(ACCESS_TTL);
    expect(new Date(session.expiresAt).getTime()).toBeCloseTo(claims.exp! * 1000, -4);
    const row = await app.central.session.findUniqueOrThrow({
      where: { id: claims.sid as string },
      include: { refreshTokens: true },
    });
    expect(row).toMatchObject({ userId: session.user.id, revokedAt: null, clientHint: "test-agent/1.0" });
    expect(row.refreshTokens.map((t) => t.tokenHash)).toEqual([hashRefreshToken(session.refreshToken!)]);
    const stored = JSON.stringify(await app.central.refreshToken.findMany({}));
    expect(stored).not.toContain(session.refreshToken);
    dataOf(await app.graphql(ME, { token: session.token }));
  });

  it("rotates the refresh token on every use, keeping the session", async () => {
    const first = await signedUp();
    const second = dataOf(await refresh(first.refreshToken!)).refreshSession;
    const third = dataOf(await refresh(second.refreshToken!)).refreshSession;
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
    const sids = [first, second, third].map((s) => decodeJwt(s.token).sid);
    expect(new Set(sids).size).toBe(1);
    expect(third.user.id).toBe(first.user.id);
    dataOf(await app.graphql(ME, { token: third.token }));
    expect(errorOf(await refresh("not a token we issued")).code).toBe("UNAUTHENTICATED");
  });

  it("ends the whole session when a used refresh token comes back, and tells the audit hook once", async () => {
    const stolen = await signedUp();
    const sid = decodeJwt(stolen.token).sid as string;
    const legit = dataOf(await refresh(stolen.refreshToken!)).refreshSession; // the owner refreshed
    const replay = await refresh(stolen.refreshToken!); // the thief replays the old one
    expect(errorOf(replay).code).toBe("UNAUTHENTICATED");
    expect(replay.status).toBe(401);
    // The chain is dead for everyone: the newer refresh token and the access tokens.
    expect(errorOf(await refresh(legit.refreshToken!)).code).toBe("UNAUTHENTICATED");
    expect(errorOf(await app.graphql(ME, { token: legit.token })).code).toBe("UNAUTHENTICATED");
    expect(errorOf(await app.graphql(ME, { token: stolen.token })).code).toBe("UNAUTHENTICATED");
    const row = await app.central.session.findUniqueOrThrow({ where: { id: sid } });
    expect(row.revokedReason).toBe("refresh-token-reused");
    expect(reused.filter((e) => e.sessionId === sid)).toEqual([
      expect.objectContaining({ userId: stolen.user.id, sessionId: sid, revoked: true }),
    ]);
    // ... and in the central audit log, once.
    const audited = await app.central.accountAuditEvent.findMany({
      where: { action: "session.refresh_token_reused", userId: stolen.user.id },
    });
    expect(audited.map((e) => e.details)).toEqual([expect.objectContaining({ sessionId: sid, revoked: true })]);
  });

  it("lets exactly one of two concurrent refreshes with one token through, and then ends the session", async () => {
    const session = await signedUp();
    const results = await Promise.all([refresh(session.refreshToken!), refresh(session.refreshToken!)]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(errorOf(results.find((r) => r.errors)!).code).toBe("UNAUTHENTICATED");
    const winner = results.find((r) => !r.errors)!.data!.refreshSession;
    expect(errorOf(await refresh(winner.refreshToken!)).code).toBe("UNAUTHENTICATED");
  });

  it("keeps the organization chosen with switchOrganization across refreshes, while the user is a member", async () => {
    const session = await signedUp();
    await app.central.membership.create({ data: { userId: session.user.id, orgId: acme.id, role: "ADMIN" } });
    const other = await app.provisionOrg("other");
    await app.central.membership.create({ data: { userId: session.user.id, orgId: other.id, role: "VIEWER" } });
    const switched = dataOf(
      await app.graphql(op("SwitchOrganization"), { token: session.token, variables: { orgId: acme.id } }),
    ).switchOrganization;
    expect(switched.refreshToken).toBeNull();
    expect(decodeJwt(switched.token)).toMatchObject({ org: acme.id, sid: decodeJwt(session.token).sid });
    const refreshed = dataOf(await refresh(session.refreshToken!)).refreshSession;
    expect(refreshed.organization).toMatchObject({ id: acme.id, viewerRole: "ADMIN" });
    expect(dataOf(await app.graphql(`{ currentOrganization { id } }`, { token: refreshed.token }))).toEqual({
      currentOrganization: { id: acme.id },
    });
    // X-Org-Id still picks another of the user's organizations per request.
    const picked = await app.graphql(`{ currentOrganization { id } }`, { token: refreshed.token, orgId: other.id });
    expect(dataOf(picked).currentOrganization).toEqual({ id: other.id });
    await app.central.membership.delete({ where: { userId_orgId: { userId: session.user.id, orgId: acme.id } } });
    const after = dataOf(await refresh(refreshed.refreshToken!)).refreshSession;
    expect(after.organization).toBeNull();
    expect(decodeJwt(after.token).org).toBeUndefined();
  });
});

describe("what the central database keeps", () => {
  it("forgets used refresh tokens and ended sessions older than the refresh lifetime", async () => {
    const session = await signedUp();
    const sid = decodeJwt(session.token).sid as string;
    const longAgo = new Date(Date.now() - 31 * 24 * 3600_000); // REFRESH_TOKEN_TTL_SECONDS defaults to 30 days
    const next = dataOf(await refresh(session.refreshToken!)).refreshSession;
    await app.central.refreshToken.update({
      where: { tokenHash: hashRefreshToken(session.refreshToken!) },
      data: { usedAt: longAgo },
    });
    const third = dataOf(await refresh(next.refreshToken!)).refreshSession;
    const kept = await app.central.refreshToken.findMany({ where: { sessionId: sid }, select: { tokenHash: true } });
    // The newest used one stays (a replay of it is recognized) with the current one; the old one is gone.
    expect(kept.map((t) => t.tokenHash).sort()).toEqual(
      [hashRefreshToken(next.refreshToken!), hashRefreshToken(third.refreshToken!)].sort(),
    );
    // An old ended session goes when its user logs in again; a recent one stays.
    const other = dataOf(await logIn(session.email)).logIn;
    await app.central.session.update({ where: { id: sid }, data: { revokedAt: longAgo } });
    await app.central.session.update({
      where: { id: decodeJwt(other.token).sid as string },
      data: { revokedAt: new Date() },
    });
    dataOf(await logIn(session.email));
    expect(await app.central.session.findUnique({ where: { id: sid } })).toBeNull();
    expect(
      await app.central.session.findUnique({ where: { id: decodeJwt(other.token).sid as string } }),
    ).not.toBeNull();
  });
});

describe("mySessions, logOut and changePassword", () => {
  it("lists the caller's live sessions with their client hints and marks the current one", async () => {
    const laptop = await signedUp("Laptop Browser");
    const phone = dataOf(await logIn(laptop.email, "Phone App")).logIn;
    const stranger = await signedUp("Someone Else");
    const listed = dataOf(await app.graphql(op("MySessions"), { token: phone.token })).mySessions;
    expect(listed.map((s) => [s.clientHint, s.current])).toEqual([
      ["Phone App", true],
      ["Laptop Browser", false],
    ]);
    expect(listed.map((s) => s.id)).not.toContain(decodeJwt(stranger.token).sid);
    expect(new Date(listed[0]!.createdAt).getTime()).toBeLessThanOrEqual(new Date(listed[0]!.lastUsedAt).getTime());
    expect(dataOf(await app.graphql(op("LogOut"), { token: laptop.token })).logOut).toBe(true);
    const left = dataOf(await app.graphql(op("MySessions"), { token: phone.token })).mySessions;
    expect(left.map((s) => s.clientHint)).toEqual(["Phone App"]);
    expect(errorOf(await app.graphql(ME, { token: laptop.token })).code).toBe("UNAUTHENTICATED");
    expect(errorOf(await refresh(laptop.refreshToken!)).code).toBe("UNAUTHENTICATED");
  });

  it("refuses logOut for a token outside a session, which simply expires", async () => {
    const user = await app.createUser();
    const r = await app.graphql(op("LogOut"), { token: await app.token(user.id) });
    expect(errorOf(r)).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
  });

  it("changePassword checks the current password and ends every other session", async () => {
    const here = await signedUp("Here");
    const there = dataOf(await logIn(here.email, "There")).logIn;
    const wrong = await app.graphql(op("ChangePassword"), {
      token: here.token,
      variables: { input: { currentPassword: "not it", newPassword: "another long password" } },
    });
    expect(errorOf(wrong)).toMatchObject({ code: "BAD_USER_INPUT", field: "currentPassword" });
    dataOf(await app.graphql(ME, { token: there.token })); // nothing ended yet
    const ended = await app.graphql(op("ChangePassword"), {
      token: here.token,
      variables: { input: { currentPassword: PASSWORD, newPassword: "another long password" } },
    });
    expect(dataOf(ended).changePassword).toBe(1);
    expect(errorOf(await app.graphql(ME, { token: there.token })).code).toBe("UNAUTHENTICATED");
    expect(errorOf(await refresh(there.refreshToken!)).code).toBe("UNAUTHENTICATED");
    dataOf(await app.graphql(ME, { token: here.token }));
    dataOf(await refresh(here.refreshToken!));
    expect(errorOf(await logIn(here.email, "x", PASSWORD)).code).toBe("UNAUTHENTICATED");
    dataOf(await logIn(here.email, "x", "another long password"));
  });
});
