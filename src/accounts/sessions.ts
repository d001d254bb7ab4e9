// Log-in and switching organization: each ends in a token this server signs (the same
// HS256 tokens `npm start` prints; sign-up is src/accounts/sign-up.ts). Log-in failures look the same whether or not the
// email has an account: one message, one argon2 verification, one throttle per address.
import type { CentralDb } from "../data/central-client.ts";
import type { AuthConfig } from "../config.ts";
import { signToken } from "./sign-token.ts";
import { appError } from "../errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { verifyPassword } from "./passwords.ts";
import { normalizeEmail } from "./users.ts";

export interface Session {
  token: string;
  userId: string;
  /** The organization the token is scoped to (its `org` claim), if any. */
  orgId: string | null;
}

export type IssueSession = (userId: string, orgId: string | null) => Promise<Session>;

export function createSessionIssuer(auth: AuthConfig): IssueSession {
  return async (userId, orgId) => ({
    token: await signToken(auth, { userId, orgId: orgId ?? undefined }),
    userId,
    orgId,
  });
}

export interface Credentials {
  email: string;
  password: string;
}

export function createSessions(central: CentralDb, issue: IssueSession, throttle: LoginThrottle) {
  return {
    async logIn({ email, password }: Credentials): Promise<Session> {
      const address = normalizeEmail(email);
      await throttle.take(address);
      const user = await central.user.findUnique({
        where: { email: address },
        select: { id: true, passwordHash: true },
      });
      const valid = await verifyPassword(user?.passwordHash, password);
      if (!user || !valid) throw appError("UNAUTHENTICATED", "email or password is incorrect");
      await throttle.reset(address);
      return issue(user.id, null);
    },

    /** A token scoped to `orgId`; the same answer for an organization that does not exist and one the user is not in. */
    async switchOrganization(userId: string, orgId: string): Promise<Session> {
      const membership = await central.membership.findUnique({
        where: { userId_orgId: { userId, orgId } },
        select: { org: { select: { slug: true, state: true } } },
      });
      const org = membership?.org;
      if (!org || org.state === "DELETED") throw appError("FORBIDDEN", "you are not a member of this organization");
      if (org.state !== "READY") {
        throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is not available (${org.state.toLowerCase()})`, {
          state: org.state,
        });
      }
      return issue(userId, orgId);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
