// Password reset: requestPasswordReset answers the same for any address (only an account's
// address gets a mail); resetPassword uses a single-use, expiring token stored as a hash,
// runs the onPasswordReset hooks inside its transaction (where sessions end: a failing hook
// undoes the reset) and verifies the address. Accounts made by `orgs import` have no
// password: the reset flow gives them one.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_FORMAT, importOrganization } from "../../src/lifecycle/export-org.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { lastMail, mailsTo, tokenIn } from "../helpers/mail.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
const resets: string[] = [];
let failNextHook = false;

const email = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;
const requestReset = (address: string) => app.graphql(op("RequestPasswordReset"), { variables: { email: address } });
const resetPassword = (token: string, newPassword: string) =>
  app.graphql(op("ResetPassword"), { variables: { token, newPassword } });
const logIn = (address: string, password: string) =>
  app.graphql(op("LogIn"), { variables: { input: { email: address, password } } });

async function account(name: string) {
  const address = email(name);
  dataOf(await app.graphql(op("SignUp"), { variables: { input: { email: address, password: "the old password" } } }));
  return address;
}

async function resetToken(address: string): Promise<string> {
  dataOf(await requestReset(address));
  return tokenIn(await lastMail(app, address, "reset-password"));
}

beforeAll(async () => {
  app = await startTestApp({
    loginThrottle: { maxAttempts: 100, windowMs: 60_000 },
    onPasswordReset: [
      async ({ userId, tx }) => {
        // Inside the reset's transaction: it sees the new password already.
        const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
        if (failNextHook) {
          failNextHook = false;
          throw new Error("revocation failed");
        }
        resets.push(`${userId}:${user.passwordHash === null ? "none" : "set"}`);
      },
    ],
  });
});
afterAll(() => app?.close());

describe("requestPasswordReset", () => {
  it("answers an address with an account exactly as one without, and mails only the account", async () => {
    const known = await account("kim");
    const unknown = email("nobody");
    const [a, b] = [await requestReset(known), await requestReset(unknown)];
    expect({ status: a.status, body: JSON.stringify(a) }).toEqual({ status: b.status, body: JSON.stringify(b) });
    expect(dataOf(a).requestPasswordReset).toBe(true);
    // The verification mail is sent in the background: either may be first in the outbox.
    expect((await mailsTo(app, known)).map((m) => m.kind).sort()).toEqual(["reset-password", "verify-email"]);
    expect(await mailsTo(app, unknown)).toEqual([]);
  });

  it("limits requests per address, for unknown addresses exactly as for known ones", async () => {
    const known = await account("lou");
    const unknown = email("ghost");
    for (const address of [known, unknown]) for (let i = 0; i < 5; i++) dataOf(await requestReset(address));
    const [k, u] = [errorOf(await requestReset(known)), errorOf(await requestReset(unknown))];
    expect(k.code).toBe("RATE_LIMITED");
    expect({ ...u, extensions: undefined }).toEqual({ ...k, extensions: undefined });
  });
});

describe("resetPassword", () => {
  it("sets the password once with a hashed token, runs the hooks in its transaction and verifies the address", async () => {
    const address = await account("max");
    const token = await resetToken(address);
    const user = await app.central.user.findUniqueOrThrow({ where: { email: address } });
    const stored = await app.central.accountToken.findFirstOrThrow({
      where: { userId: user.id, purpose: "RESET_PASSWORD" },
    });
    expect(stored.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(30 * 60_000);

    expect(dataOf(await resetPassword(token, "a brand new password")).resetPassword).toBe(true);
    expect(resets).toContain(`${user.id}:set`);
    dataOf(await logIn(address, "a brand new password"));
    expect(errorOf(await logIn(address, "the old password")).code).toBe("UNAUTHENTICATED");
    expect((await app.central.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeInstanceOf(Date);
    expect(errorOf(await resetPassword(token, "yet another password"))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "token",
    });
    dataOf(await logIn(address, "a brand new password"));
  });

  it("refuses an expired token, an older link once a newer one was sent, and a too short password", async () => {
    const address = await account("ned");
    const older = await resetToken(address);
    const newer = await resetToken(address);
    expect(errorOf(await resetPassword(older, "a brand new password")).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await resetPassword(newer, "short"))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "newPassword",
    });
    await app.central.accountToken.updateMany({
      where: { user: { email: address } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorOf(await resetPassword(newer, "a brand new password")).code).toBe("BAD_USER_INPUT");
    dataOf(await logIn(address, "the old password"));
  });

  it("of two concurrent uses of one token exactly one sets the password", async () => {
    const address = await account("ola");
    const token = await resetToken(address);
    const results = await Promise.all([
      resetPassword(token, "first new password"),
      resetPassword(token, "second new password"),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const winner = results[0]!.errors ? "second new password" : "first new password";
    dataOf(await logIn(address, winner));
  });

  it("is undone when a hook fails (the sessions would not have ended): old password, token still usable", async () => {
    const address = await account("pia");
    const token = await resetToken(address);
    failNextHook = true;
    expect(errorOf(await resetPassword(token, "a brand new password")).code).toBe("INTERNAL_SERVER_ERROR"); // masked
    dataOf(await logIn(address, "the old password"));
    dataOf(await resetPassword(token, "a brand new password"));
    dataOf(await logIn(address, "a brand new password"));
  });

  it("ends every session of the account: access and refresh tokens stop working at once", async () => {
    const address = await account("ria");
    const phone = dataOf(await logIn(address, "the old password")).logIn;
    const laptop = dataOf(await logIn(address, "the old password")).logIn;
    const other = dataOf(await logIn(await account("sam"), "the old password")).logIn;
    dataOf(await resetPassword(await resetToken(address), "a brand new password"));
    for (const session of [phone, laptop]) {
      await expect.poll(async () => (await app.graphql(`{ me { id } }`, { token: session.token })).status).toBe(401);
      const refreshed = await app.graphql(op("RefreshSession"), { variables: { refreshToken: session.refreshToken! } });
      expect(errorOf(refreshed).code).toBe("UNAUTHENTICATED");
    }
    dataOf(await app.graphql(`{ me { id } }`, { token: other.token })); // another account's session lives on
  });

  it("gives an account made by `orgs import` (no password) its first password", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "reset-import-"));
    const imported = email("quinn");
    try {
      const file = path.join(dir, "export.jsonl");
      const lines = [
        {
          type: "organization",
          format: EXPORT_FORMAT,
          slug: "old",
          name: "Imported",
          tier: "DATABASE",
          schemaVersion: null,
          exportedAt: new Date().toISOString(),
        },
        { type: "membership", email: imported, name: "Quinn", role: "ADMIN" },
      ];
      await writeFile(file, lines.map((l) => JSON.stringify(l)).join("\n"));
      const { orgId } = await importOrganization(app.lifecycle, { file, slug: app.slugFor("imported") });
      const user = await app.central.user.findUniqueOrThrow({ where: { email: imported } });
      expect(user).toMatchObject({ passwordHash: null, emailVerifiedAt: null });
      expect(errorOf(await logIn(imported, "")).code).toBe("UNAUTHENTICATED");

      dataOf(await resetPassword(await resetToken(imported), "quinn's first password"));
      const session = dataOf(await logIn(imported, "quinn's first password")).logIn;
      expect(session.organizations).toEqual([expect.objectContaining({ id: orgId, viewerRole: "ADMIN" })]);
      expect((await app.central.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeInstanceOf(
        Date,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
