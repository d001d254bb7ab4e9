// The mutations anyone may call without a token are limited per client IP: refreshSession,
// requestPasswordReset, resetPassword and verifyEmail (signUp and logIn: shared-limits.test.ts).
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestVia, startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { errorOf } from "../helpers/results.ts";

const LIMIT = 2;
const token = () => randomBytes(32).toString("base64url");

// Unknown tokens and addresses: each mutation answers without a refusal until the limit.
const MUTATIONS = [
  { name: "refreshSession", send: () => [op("RefreshSession"), { refreshToken: token() }] as const },
  {
    name: "requestPasswordReset",
    send: () => [op("RequestPasswordReset"), { email: `${randomUUID()}@limits.test` }] as const,
  },
  {
    name: "resetPassword",
    send: () => [op("ResetPassword"), { token: token(), newPassword: "a long password" }] as const,
  },
  { name: "verifyEmail", send: () => [op("VerifyEmail"), { token: token() }] as const },
];

const refusal = (response: GraphQLResponse) =>
  response.errors?.find((error) => error.extensions?.code === "RATE_LIMITED");

describe("per-IP limits on the token-less account mutations", () => {
  let app: TestApp;
  beforeAll(async () => {
    const low = String(LIMIT);
    app = await startTestApp({
      env: {
        REFRESHES_PER_IP_PER_HOUR: low,
        PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR: low,
        PASSWORD_RESETS_PER_IP_PER_HOUR: low,
        EMAIL_VERIFICATIONS_PER_IP_PER_HOUR: low,
      },
    });
  });
  afterAll(() => app?.close());

  it.each(MUTATIONS.map((m, i) => ({ ...m, i })))(
    "$name: one address is refused after the limit, another still passes",
    async ({ send, i }) => {
      const from = async (remoteAddress: string) => {
        const [document, variables] = send();
        return requestVia(app, document, { variables, remoteAddress });
      };
      const flooder = `198.51.100.${i + 1}`;
      for (let n = 0; n < LIMIT; n++) expect(refusal(await from(flooder))).toBeUndefined();
      const refused = await from(flooder);
      expect(refused.status).toBe(429);
      expect(errorOf(refused).code).toBe("RATE_LIMITED");
      const wait = errorOf(refused).extensions.retryAfterSeconds;
      expect(wait).toBeGreaterThan(0);
      expect(refused.headers.get("retry-after")).toBe(String(wait));
      expect(refusal(await from(`192.0.2.${i + 1}`))).toBeUndefined();
    },
  );
});
