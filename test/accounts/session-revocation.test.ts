// Revocation across processes: two app instances on one central database. A session ended
// on one (logOut, logOutEverywhere, a reused refresh token) is refused by the other as soon
// as it hears `sessions-revoked`, without a central query per request; a process that missed
// the event catches up when its listening connection comes back (resync).
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { withAdminClient } from "../helpers/databases.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { requestVia, startSecondInstance } from "../helpers/second-instance.ts";

let one: TestApp;
let two: App;
const centralQueriesOnTwo: string[] = [];
const ME = `{ me { id } }`;

beforeAll(async () => {
  one = await startTestApp();
  two = await startSecondInstance(one, { onCentralQuery: (sql) => centralQueriesOnTwo.push(sql) });
});
afterAll(async () => {
  await two?.close();
  await one?.close();
});

async function until(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const refusedBy = (app: Pick<App, "yoga">, token: string) => async () =>
  (await requestVia(app, ME, { token })).status === 401;

async function signedUp() {
  const address = `r-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const input = { email: address, password: "a long enough password" };
  dataOf(await one.graphql(op("SignUp"), { variables: { input } }));
  const session = dataOf(await one.graphql(op("LogIn"), { variables: { input } })).logIn;
  const logIn = () => requestVia(two, op("LogIn"), { variables: { input } });
  return { ...session, logIn };
}

describe("a session ended on one process", () => {
  it("logOut: refused at once where it happened, and by the other process as soon as it hears of it", async () => {
    const session = await signedUp();
    dataOf(await requestVia(two, ME, { token: session.token }));
    expect(dataOf(await one.graphql(op("LogOut"), { token: session.token })).logOut).toBe(true);
    expect((await one.graphql(ME, { token: session.token })).status).toBe(401); // no waiting here
    await until(refusedBy(two, session.token), "the other process refuses the logged-out token");
    expect(errorOf(await requestVia(two, ME, { token: session.token })).code).toBe("UNAUTHENTICATED");
    const refreshed = await requestVia(two, op("RefreshSession"), {
      variables: { refreshToken: session.refreshToken },
    });
    expect(errorOf(refreshed).code).toBe("UNAUTHENTICATED");
  });

  it("logOutEverywhere on the second process ends every session of the user on both, and nobody else's", async () => {
    const user = await signedUp();
    const second = dataOf(await user.logIn()).logIn;
    const bystander = await signedUp();
    const ended = dataOf(await requestVia(two, op("LogOutEverywhere"), { token: second.token })).logOutEverywhere;
    expect(ended).toBe(2);
    for (const token of [user.token, second.token]) {
      await until(refusedBy(one, token), "the first process refuses every session of the user");
      expect((await requestVia(two, ME, { token })).status).toBe(401);
    }
    dataOf(await one.graphql(ME, { token: bystander.token }));
    dataOf(await requestVia(two, ME, { token: bystander.token }));
  });

  it("a refresh token replayed on the other process ends the session everywhere", async () => {
    const session = await signedUp();
    const next = dataOf(
      await one.graphql(op("RefreshSession"), { variables: { refreshToken: session.refreshToken! } }),
    ).refreshSession;
    const replay = await requestVia(two, op("RefreshSession"), { variables: { refreshToken: session.refreshToken } });
    expect(errorOf(replay).code).toBe("UNAUTHENTICATED");
    await until(refusedBy(one, next.token), "the first process refuses the chain's newest access token");
    const sid = decodeJwt(next.token).sid as string;
    expect((await one.central.session.findUniqueOrThrow({ where: { id: sid } })).revokedReason).toBe(
      "refresh-token-reused",
    );
  });
});

describe("the check itself", () => {
  it("costs no central query: a request with a session token sends as many as one without", async () => {
    const session = await signedUp();
    const sessionless = await one.token(session.user.id);
    const count = async (token: string) => {
      centralQueriesOnTwo.length = 0;
      dataOf(await requestVia(two, ME, { token }));
      return centralQueriesOnTwo.length;
    };
    await count(session.token); // warm
    expect(await count(session.token)).toBe(await count(sessionless));
  });

  it("a process that missed the event (listener down) reloads the revoked sessions when it listens again", async () => {
    const session = await signedUp();
    const sid = decodeJwt(session.token).sid as string;
    // Revoked without an announcement: what a process sees when it missed the event.
    await one.central.session.update({ where: { id: sid }, data: { revokedAt: new Date(), revokedReason: "test" } });
    dataOf(await requestVia(two, ME, { token: session.token })); // still accepted: nothing told it
    const central = new URL(one.servers.main!).pathname.slice(1);
    await withAdminClient((c) =>
      c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tenantgraph-listener'",
        [central],
      ),
    );
    await until(refusedBy(two, session.token), "the second process refuses the token after its resync");
    await until(refusedBy(one, session.token), "the first process too");
  });
});
