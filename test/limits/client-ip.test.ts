// Limits per client IP key on the socket's peer address; X-Forwarded-For is believed only
// as far as TRUST_PROXY says proxies append to it.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIp, normalizeIp } from "../../src/http/client-ip.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { requestVia } from "../helpers/second-instance.ts";

describe("clientIp", () => {
  it("ignores X-Forwarded-For unless proxies are trusted", () => {
    expect(clientIp("1.2.3.4", "10.0.0.1", 0)).toBe("10.0.0.1");
    expect(clientIp(null, "10.0.0.1", 1)).toBe("10.0.0.1");
    expect(clientIp(undefined, undefined, 0)).toBe("unknown");
  });

  it("takes the address that many hops from the right, so a client cannot choose it", () => {
    expect(clientIp("1.2.3.4", "10.0.0.1", 1)).toBe("1.2.3.4");
    expect(clientIp("6.6.6.6, 1.2.3.4", "10.0.0.1", 1)).toBe("1.2.3.4"); // the client's own entry is on the left
    expect(clientIp("6.6.6.6, 1.2.3.4, 10.0.0.2", "10.0.0.1", 2)).toBe("1.2.3.4");
    expect(clientIp("not-an-ip", "10.0.0.1", 1)).toBe("10.0.0.1");
  });

  it("keys IPv6 by its /64 and IPv4-mapped addresses as IPv4", () => {
    expect(normalizeIp("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(normalizeIp("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(normalizeIp("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(normalizeIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(normalizeIp("::1")).toBe("0:0:0:0::/64");
    expect(normalizeIp("x".repeat(5000))).toBeUndefined();
  });
});

describe("behind one trusted proxy (TRUST_PROXY=1)", () => {
  let app: TestApp;
  const PROXY = "10.0.0.1";
  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: "1", SIGNUPS_PER_IP_PER_HOUR: "1" } });
  });
  afterAll(() => app?.close());

  const signUpFrom = (forwardedFor: string) =>
    requestVia(app, op("SignUp"), {
      variables: { input: { email: `${randomUUID()}@proxy.test`, password: "a long password" } },
      remoteAddress: PROXY,
      headers: { "x-forwarded-for": forwardedFor },
    });

  it("counts per forwarded client, and a client's own X-Forwarded-For entry does not escape the limit", async () => {
    dataOf(await signUpFrom("192.0.2.10"));
    expect(errorOf(await signUpFrom("192.0.2.10")).code).toBe("RATE_LIMITED");
    expect(errorOf(await signUpFrom("198.51.100.7, 192.0.2.10")).code).toBe("RATE_LIMITED");
    dataOf(await signUpFrom("192.0.2.11")); // another client behind the same proxy
  });

  it("over a real HTTP server, takes the socket's peer address when no proxy header is sent", async () => {
    const server = createServer(app.yoga);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const signUp = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: print(op("SignUp")),
            variables: { input: { email: `${randomUUID()}@socket.test`, password: "a long password" } },
          }),
        });
        return { status: response.status, ...((await response.json()) as object) };
      };
      const viaFetch = (remoteAddress?: string) =>
        requestVia(app, op("SignUp"), {
          variables: { input: { email: `${randomUUID()}@socket.test`, password: "a long password" } },
          remoteAddress,
        });
      dataOf(await viaFetch("127.0.0.1")); // uses up 127.0.0.1's one sign-up
      const refused = await signUp(); // the real socket's peer is 127.0.0.1
      expect(refused.status).toBe(429);
      expect(errorOf(refused).code).toBe("RATE_LIMITED");
      dataOf(await viaFetch(undefined)); // an unknown peer is another key: the refusal above was the socket's address
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
