// signUp does not tell whether an address has an account: a new and a taken address get the
// same answer (no token), the new one a verification mail, the taken one's owner a mail
// saying someone tried; the taken account is left exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_UP_MESSAGE } from "../../src/accounts/sign-up.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { mailsTo } from "../helpers/mail.ts";
import { op, type InputOf } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;

const signUp = (input: InputOf<"SignUp">) => app.graphql(op("SignUp"), { variables: { input } });
const logIn = (email: string, password: string) =>
  app.graphql(op("LogIn"), { variables: { input: { email, password } } });
const email = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.test`;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("signUp", () => {
  it("creates an unverified account with an argon2id hash, answers without a token and mails a verification link", async () => {
    const address = email("dana");
    const response = await signUp({
      email: `  ${address.toUpperCase()} `,
      password: "correct horse battery",
      name: "Dana",
    });
    expect(dataOf(response).signUp).toEqual({ email: address, message: SIGN_UP_MESSAGE });
    expect(JSON.stringify(response)).not.toMatch(/eyJ/); // no token of any kind
    const stored = await app.central.user.findUniqueOrThrow({ where: { email: address } });
    expect(stored).toMatchObject({ name: "Dana", emailVerifiedAt: null });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const mails = await mailsTo(app, address);
    expect(mails.map((m) => m.kind)).toEqual(["verify-email"]);
    expect(mails[0]!.body).toContain("verifyEmail");
    // It may log in at once.
    const session = dataOf(await logIn(address, "correct horse battery")).logIn;
    expect(session.user).toMatchObject({ id: stored.id, email: address });
  });

  it("answers a taken address exactly as a new one, changes nothing and mails its owner", async () => {
    const taken = email("erin");
    const fresh = email("frank");
    dataOf(await signUp({ email: taken, password: "erin's own password", name: "Erin" }));
    const before = await app.central.user.findUniqueOrThrow({ where: { email: taken } });

    const again = await signUp({ email: taken, password: "attacker's password", name: "Mallory" });
    const first = await signUp({ email: fresh, password: "frank's password" });
    const shape = (r: typeof again, address: string) => ({
      status: r.status,
      body: JSON.stringify(r).replaceAll(address, "<address>"),
    });
    expect(shape(again, taken)).toEqual(shape(first, fresh));

    expect(await app.central.user.findUniqueOrThrow({ where: { email: taken } })).toEqual(before);
    expect(await app.central.user.count({ where: { email: taken } })).toBe(1);
    expect(errorOf(await logIn(taken, "attacker's password")).code).toBe("UNAUTHENTICATED");
    dataOf(await logIn(taken, "erin's own password"));

    const mails = await mailsTo(app, taken);
    expect(mails.map((m) => m.kind)).toEqual(["verify-email", "sign-up-attempt"]);
    const attempt = mails[1]!;
    expect(attempt.subject).toBe("Someone tried to sign up with your address");
    expect(attempt.body).not.toMatch(/token/i); // nothing in it that acts on the account
  });

  it("refuses a bad email and a short password, naming the field, the same for taken addresses", async () => {
    const taken = email("grace");
    dataOf(await signUp({ email: taken, password: "long enough" }));
    expect(errorOf(await signUp({ email: "not an email", password: "long enough" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "email",
    });
    for (const address of [taken, email("heidi")]) {
      expect(errorOf(await signUp({ email: address, password: "1234567" }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "password",
      });
    }
  });

  it("of concurrent sign-ups for one new address, one account is created and the rest are told the same", async () => {
    const address = email("ivan");
    const results = await Promise.all(
      [1, 2, 3].map((i) => signUp({ email: address, password: `password number ${i}` })),
    );
    for (const r of results) expect(dataOf(r).signUp).toEqual({ email: address, message: SIGN_UP_MESSAGE });
    expect(await app.central.user.count({ where: { email: address } })).toBe(1);
    const kinds = (await mailsTo(app, address)).map((m) => m.kind).sort();
    expect(kinds).toEqual(["sign-up-attempt", "sign-up-attempt", "verify-email"]);
  });
});
