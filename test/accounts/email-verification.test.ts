// Email verification: the token of the mail is stored only as a SHA-256, works once and
// expires; resendVerification makes the older link stop working; until verified an account
// may log in but neither create an organization nor be added to one (REQUIRE_VERIFIED_EMAIL),
// and with that switched off it may. Links reach the log only when MAIL_LOG_LINKS says so.
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundTasks } from "../../src/accounts/background-tasks.ts";
import { createOutboxMailer } from "../../src/accounts/mail/outbox-mailer.ts";
import { loadConfig } from "../../src/config.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { lastMail, mailsTo, tokenIn, verificationTokenFor } from "../helpers/mail.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let lenient: TestApp;
const logLines: string[] = [];

const email = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function signedUp(target: TestApp, name: string) {
  const address = email(name);
  const password = `${name}'s long password`;
  dataOf(await target.graphql(op("SignUp"), { variables: { input: { email: address, password } } }));
  const session = dataOf(await target.graphql(op("LogIn"), { variables: { input: { email: address, password } } }));
  return { email: address, id: session.logIn.user.id, token: session.logIn.token };
}

const verify = (target: TestApp, token: string) => target.graphql(op("VerifyEmail"), { variables: { token } });
const createOrg = (target: TestApp, token: string, name: string) =>
  target.graphql(op("CreateOrganization"), { token, variables: { input: { name, slug: target.slugFor(name) } } });

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  [app, lenient] = await Promise.all([
    startTestApp({ env: { MAIL_LOG_LINKS: "false" }, logger: pino({ level: "info" }, sink) }),
    startTestApp({ env: { REQUIRE_VERIFIED_EMAIL: "false" } }),
  ]);
});
afterAll(() => Promise.all([app?.close(), lenient?.close()]));

describe("verifyEmail", () => {
  it("stores only the token's hash, verifies once, and then the account may create organizations", async () => {
    const user = await signedUp(app, "ann");
    expect(errorOf(await createOrg(app, user.token, "ann-org"))).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    const token = await verificationTokenFor(app, user.email);
    const stored = await app.central.accountToken.findMany({ where: { userId: user.id } });
    expect(stored.map((t) => [t.tokenHash, t.purpose, t.usedAt])).toEqual([[sha256(token), "VERIFY_EMAIL", null]]);
    expect(JSON.stringify(stored)).not.toContain(token);

    expect(dataOf(await verify(app, token)).verifyEmail).toBe(true);
    expect((await app.central.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeInstanceOf(Date);
    expect(errorOf(await verify(app, token))).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    dataOf(await createOrg(app, user.token, "ann-org"));
  });

  it("refuses an expired token, an unknown one and a password-reset token", async () => {
    const user = await signedUp(app, "ben");
    const token = await verificationTokenFor(app, user.email);
    await app.central.accountToken.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorOf(await verify(app, token))).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    expect(errorOf(await verify(app, "x".repeat(43)))).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    dataOf(await app.graphql(op("RequestPasswordReset"), { variables: { email: user.email } }));
    const resetToken = tokenIn(await lastMail(app, user.email, "reset-password"));
    expect(errorOf(await verify(app, resetToken))).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    expect((await app.central.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).toBeNull();
  });

  it("resendVerification mails a new link, the old one stops working, and nothing is sent once verified", async () => {
    const user = await signedUp(app, "cleo");
    const first = await verificationTokenFor(app, user.email);
    expect(dataOf(await app.graphql(op("ResendVerification"), { token: user.token })).resendVerification).toBe(true);
    const second = await verificationTokenFor(app, user.email);
    expect(second).not.toBe(first);
    expect(errorOf(await verify(app, first)).code).toBe("BAD_USER_INPUT");
    dataOf(await verify(app, second));
    dataOf(await app.graphql(op("ResendVerification"), { token: user.token }));
    expect((await mailsTo(app, user.email)).map((m) => m.kind)).toEqual(["verify-email", "verify-email"]);
    expect(errorOf(await app.graphql(op("ResendVerification"))).code).toBe("UNAUTHENTICATED");
  });

  it("an unverified account cannot be added to an organization; once verified it can", async () => {
    const owner = await signedUp(app, "dora");
    dataOf(await verify(app, await verificationTokenFor(app, owner.email)));
    const orgToken = dataOf(await createOrg(app, owner.token, "dora-org")).createOrganization.token;
    const newcomer = await signedUp(app, "eli");
    const add = () =>
      app.graphql(op("AddMember"), {
        token: orgToken,
        variables: { input: { email: newcomer.email, role: "MEMBER" } },
      });
    expect(errorOf(await add())).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    expect(await app.central.membership.count({ where: { userId: newcomer.id } })).toBe(0);
    dataOf(await verify(app, await verificationTokenFor(app, newcomer.email)));
    expect(dataOf(await add()).addMember.role).toBe("MEMBER");
  });

  it("with REQUIRE_VERIFIED_EMAIL=false an unverified account creates organizations and is added to them", async () => {
    const owner = await signedUp(lenient, "fay");
    const orgToken = dataOf(await createOrg(lenient, owner.token, "fay-org")).createOrganization.token;
    const other = await signedUp(lenient, "gus");
    dataOf(await lenient.graphql(op("AddMember"), { token: orgToken, variables: { input: { email: other.email } } }));
  });

  it("keeps links out of the log unless MAIL_LOG_LINKS is on (the embedded/dev default)", async () => {
    const user = await signedUp(app, "hal");
    const token = await verificationTokenFor(app, user.email);
    const mailLines = logLines.filter((line) => line.includes('"kind":"verify-email"'));
    expect(mailLines.length).toBeGreaterThan(0);
    expect(logLines.join("\n")).not.toContain(token);
    expect(logLines.join("\n")).not.toContain(user.email);
    // In development the line carries the link, so a developer can click it.
    const devLines: string[] = [];
    const devLog = pino(
      { level: "info" },
      new Writable({
        write(chunk, _encoding, done) {
          devLines.push(String(chunk));
          done();
        },
      }),
    );
    const devMailer = createOutboxMailer({
      central: app.central,
      log: devLog,
      logLinks: true,
      background: new BackgroundTasks(devLog),
    });
    const link = "http://127.0.0.1:4000/graphql?query=dev-link";
    await devMailer.send({ to: user.email, kind: "verify-email", subject: "s", text: `t ${link}`, link });
    expect(devLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ msg: "mail (dev)", kind: "verify-email", to: user.email, link }),
    ]);
    expect(loadConfig({}).accounts.mail.logLinks).toBe(true);
    expect(loadConfig({ DATABASE_URL: "postgresql://db/x" }).accounts.mail.logLinks).toBe(false);
    expect(loadConfig({ DATABASE_URL: "postgresql://db/x", MAIL_LOG_LINKS: "true" }).accounts.mail.logLinks).toBe(true);
  });
});
