// logIn and switchOrganization through GraphQL (signUp itself: sign-up.test.ts). Passwords are stored as argon2id
// hashes; a failed log-in looks the same whether or not the email has an account; log-in
// attempts are throttled per email, for unknown emails exactly as for known ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op, type InputOf } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let acme: Organization;
let globex: Organization;
const MAX_ATTEMPTS = 3;

const signUp = (input: InputOf<"SignUp">) => app.graphql(op("SignUp"), { variables: { input } });
const logIn = (email: string, password: string) =>
  app.graphql(op("LogIn"), { variables: { input: { email, password } } });
const email = (name: string) => `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.test`;

beforeAll(async () => {
  app = await startTestApp({ loginThrottle: { maxAttempts: MAX_ATTEMPTS, windowMs: 60_000 } });
  [acme, globex] = await Promise.all([app.provisionOrg("acme"), app.provisionOrg("globex")]);
});
afterAll(() => app?.close());

describe("signUp", () => {
  it("is the only kind of mutation that runs without a token (with logIn)", async () => {
    const r = await app.graphql(op("NewProject"), { variables: { input: { name: "anonymous" } } });
    expect(r.status).toBe(401);
    expect(errorOf(r).code).toBe("UNAUTHENTICATED");
    const mixed = await app.graphql(
      `mutation { logIn(input: { email: "a@b.c", password: "x" }) { token } createProject(input: { name: "x" }) { id } }`,
    );
    expect(errorOf(mixed).code).toBe("UNAUTHENTICATED");
  });
});

describe("logIn", () => {
  it("returns a token for the right password, with the user's organizations", async () => {
    const address = email("erin");
    dataOf(await signUp({ email: address, password: "erin's password" }));
    const user = await app.central.user.findUniqueOrThrow({ where: { email: address } });
    await app.central.membership.create({ data: { userId: user.id, orgId: acme.id, role: "MEMBER" } });
    const session = dataOf(await logIn(address.toUpperCase(), "erin's password")).logIn;
    expect(session.user.id).toBe(user.id);
    expect(session.organizations.map((o: { id: string }) => o.id)).toEqual([acme.id]);
    // One membership: the token needs no org claim to act for it.
    const current = await app.graphql(`{ currentOrganization { id viewerRole } }`, { token: session.token });
    expect(dataOf(current).currentOrganization).toEqual({ id: acme.id, viewerRole: "MEMBER" });
  });

  it("fails the same way for a wrong password, an unknown email and an account without a password", async () => {
    const address = email("frank");
    dataOf(await signUp({ email: address, password: "frank's password" }));
    const passwordless = await app.createUser(); // like the demo users: no password set
    const failures = [
      await logIn(address, "wrong password"),
      await logIn(email("nobody"), "whatever"),
      await logIn(passwordless.email, ""),
    ];
    const shapes = failures.map((r) => ({
      status: r.status,
      code: errorOf(r).code,
      message: errorOf(r).message,
      data: r.data,
    }));
    expect(shapes[0]).toEqual({
      status: 401,
      code: "UNAUTHENTICATED",
      message: "email or password is incorrect",
      data: null,
    });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });

  it(`throttles after ${MAX_ATTEMPTS} attempts per email, even the right password, and identically for unknown emails`, async () => {
    const known = email("grace");
    const unknown = email("ghost");
    dataOf(await signUp({ email: known, password: "grace's password" }));
    for (const address of [known, unknown]) {
      for (let i = 0; i < MAX_ATTEMPTS; i++)
        expect(errorOf(await logIn(address, `guess ${i}`)).code).toBe("UNAUTHENTICATED");
    }
    const [blockedKnown, blockedUnknown] = [await logIn(known, "grace's password"), await logIn(unknown, "guess")];
    expect(errorOf(blockedKnown).code).toBe("RATE_LIMITED");
    expect(blockedKnown.status).toBe(429);
    expect(errorOf(blockedKnown).extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect({ ...errorOf(blockedUnknown), extensions: undefined }).toEqual({
      ...errorOf(blockedKnown),
      extensions: undefined,
    });
    // Other emails are not affected.
    const other = email("heidi");
    dataOf(await signUp({ email: other, password: "heidi's password" }));
    dataOf(await logIn(other, "heidi's password"));
  });

  it("counts parallel guesses too", async () => {
    const address = email("ivan");
    const results = await Promise.all(Array.from({ length: MAX_ATTEMPTS + 4 }, (_, i) => logIn(address, `guess ${i}`)));
    const codes = results.map((r) => errorOf(r).code);
    expect(codes.filter((c) => c === "UNAUTHENTICATED")).toHaveLength(MAX_ATTEMPTS);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(4);
  });

  it("forgets earlier failures after a successful log-in", async () => {
    const address = email("judy");
    dataOf(await signUp({ email: address, password: "judy's password" }));
    for (let i = 0; i < MAX_ATTEMPTS - 1; i++) errorOf(await logIn(address, "wrong"));
    dataOf(await logIn(address, "judy's password"));
    for (let i = 0; i < MAX_ATTEMPTS - 1; i++)
      expect(errorOf(await logIn(address, "wrong")).code).toBe("UNAUTHENTICATED");
    dataOf(await logIn(address, "judy's password"));
  });
});

describe("switchOrganization", () => {
  it("returns a token scoped to one of the user's organizations", async () => {
    const user = await app.createUser([
      [acme, "VIEWER"],
      [globex, "ADMIN"],
    ]);
    const token = await app.token(user.id);
    // Two memberships and no org claim: nothing is selected yet, and `me` still answers.
    expect(dataOf(await app.graphql(`{ me { id } currentOrganization { id } }`, { token }))).toEqual({
      me: { id: user.id },
      currentOrganization: null,
    });
    const needsOrg = errorOf(await app.graphql(`{ projectsConnection { totalCount } }`, { token }));
    expect(needsOrg.code).toBe("BAD_USER_INPUT");
    expect(needsOrg.message).toMatch(/X-Org-Id.*switchOrganization.*createOrganization/);
    const session = dataOf(
      await app.graphql(op("SwitchOrganization"), { token, variables: { orgId: globex.id } }),
    ).switchOrganization;
    expect(session.organization).toMatchObject({ id: globex.id, viewerRole: "ADMIN" });
    const current = dataOf(await app.graphql(`{ currentOrganization { id viewerRole } }`, { token: session.token }));
    expect(current.currentOrganization).toEqual({ id: globex.id, viewerRole: "ADMIN" });
  });

  it("refuses an organization the user is not in, and one that does not exist, the same way", async () => {
    const user = await app.createUser([[acme, "OWNER"]]);
    const token = await app.token(user.id, acme.id);
    const notMine = await app.graphql(op("SwitchOrganization"), { token, variables: { orgId: globex.id } });
    const missing = await app.graphql(op("SwitchOrganization"), {
      token,
      variables: { orgId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(errorOf(notMine).code).toBe("FORBIDDEN");
    expect(errorOf(missing)).toEqual(errorOf(notMine));
    expect(errorOf(await app.graphql(op("SwitchOrganization"), { token, variables: { orgId: "acme" } }))).toMatchObject(
      { code: "BAD_USER_INPUT", field: "orgId" },
    );
  });
});
