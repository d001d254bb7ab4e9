// Log-in, refreshing, switching organization and logging out (sign-up, src/accounts/sign-up.ts,
// answers without a session). Logging in starts a session: a short-lived access token
// (ACCESS_TOKEN_TTL_SECONDS, with the session id as `sid`) and an opaque refresh token that
// refreshSession exchanges, once, for the next pair (src/accounts/session-store.ts). Log-in failures look the same whether or not the
// email has an account: one message, one argon2 verification, one throttle per address.
import type { CentralDb } from "../data/central-client.ts";
import type { SignAccessToken } from "./sign-token.ts";
import { appError, badUserInput } from "../errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { verifyPassword } from "./passwords.ts";
import type { RevokedSessions } from "./revoked-sessions.ts";
import { revokeSessionsOfUser, type SessionStore } from "./session-store.ts";
import { normalizeEmail } from "./users.ts";

export interface Session {
  /** The access token. */
  token: string;
  expiresAt: Date;
  userId: string;
  /** The organization the token is scoped to (its `org` claim), if any. */
  orgId: string | null;
  /** The session the token belongs to (`sid`); null for tokens outside a session (demo tokens). */
  sessionId: string | null;
  /** Only when a session starts or is refreshed: the one token that refreshes it next. */
  refreshToken: string | null;
}

/** Who is asking: the user and the session of their token (null for a token outside a session). */
export interface Caller {
  id: string;
  sessionId: string | null;
}

/** An access token for `caller` acting for `orgId`; a session remembers the organization for its refreshes. */
export type IssueSession = (caller: Caller, orgId: string | null) => Promise<Session>;

/**
 * Told each time a used refresh token is presented again, after its session was revoked
 * (`revoked`: false when the session had already ended). The audit log records it; awaited,
 * so a failure to record fails the request (the session stays revoked).
 */
export type RefreshTokenReuseHook = (event: {
  userId: string;
  sessionId: string;
  clientHint: string | null;
  revoked: boolean;
}) => void | Promise<void>;

export function sessionEnded() {
  return appError("UNAUTHENTICATED", "this session has ended; log in again");
}

export function createSessionIssuer(sign: SignAccessToken, store: SessionStore): IssueSession {
  return async (caller, orgId) => {
    if (caller.sessionId && !(await store.actFor(caller.sessionId, caller.id, orgId))) throw sessionEnded();
    return sign(caller.id, orgId, caller.sessionId);
  };
}

export interface Credentials {
  email: string;
  password: string;
}

export interface SessionsDeps {
  central: CentralDb;
  store: SessionStore;
  sign: SignAccessToken;
  issue: IssueSession;
  throttle: LoginThrottle;
  revoked: RevokedSessions;
  onRefreshTokenReused?: RefreshTokenReuseHook;
}

export function createSessions({ central, store, sign, issue, throttle, revoked, onRefreshTokenReused }: SessionsDeps) {
  async function start(userId: string, clientHint: string | null): Promise<Session> {
    const { sessionId, refreshToken } = await store.open(userId, null, clientHint);
    return sign(userId, null, sessionId, refreshToken);
  }

  return {
    async logIn({ email, password }: Credentials, clientHint: string | null = null): Promise<Session> {
      const address = normalizeEmail(email);
      await throttle.take(address);
      const user = await central.user.findUnique({
        where: { email: address },
        select: { id: true, passwordHash: true },
      });
      const valid = await verifyPassword(user?.passwordHash, password);
      if (!user || !valid) throw appError("UNAUTHENTICATED", "email or password is incorrect");
      await throttle.reset(address);
      return start(user.id, clientHint);
    },

    /**
     * The next access and refresh token of the session `refreshToken` belongs to. A token
     * used before revokes the session: whoever holds the newer token loses it too.
     */
    async refresh(refreshToken: string, clientHint: string | null = null): Promise<Session> {
      const rotation = await store.rotate(refreshToken, clientHint);
      if (rotation.outcome === "reused") {
        const { id, userId } = rotation.session;
        const revokedNow = await store.revoke(id, userId, "refresh-token-reused");
        revoked.add(id);
        await onRefreshTokenReused?.({ userId, sessionId: id, clientHint, revoked: revokedNow });
        throw sessionEnded();
      }
      if (rotation.outcome !== "rotated") throw sessionEnded();
      const { id, userId, orgId } = rotation.session;
      // The session keeps its organization while the user is still a member there.
      const stillMember =
        orgId && (await central.membership.count({ where: { userId, orgId, org: { state: { not: "DELETED" } } } })) > 0;
      return sign(userId, stillMember ? orgId : null, id, rotation.refreshToken);
    },

    /** A token scoped to `orgId`; the same answer for an organization that does not exist and one the user is not in. */
    async switchOrganization(caller: Caller, orgId: string): Promise<Session> {
      const membership = await central.membership.findUnique({
        where: { userId_orgId: { userId: caller.id, orgId } },
        select: { org: { select: { slug: true, state: true } } },
      });
      const org = membership?.org;
      if (!org || org.state === "DELETED") throw appError("FORBIDDEN", "you are not a member of this organization");
      if (org.state !== "READY") {
        throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is not available (${org.state.toLowerCase()})`, {
          state: org.state,
        });
      }
      return issue(caller, orgId);
    },

    /** Ends the caller's session: its refresh token and, on every process, its access tokens. */
    async logOut(caller: Caller): Promise<boolean> {
      if (!caller.sessionId) throw badUserInput("token", "this token belongs to no session (it expires on its own)");
      const ended = await store.revoke(caller.sessionId, caller.id, "log-out");
      revoked.add(caller.sessionId);
      return ended;
    },

    /** Ends every session of the caller, this one included; returns how many were live. */
    async logOutEverywhere(caller: Caller): Promise<number> {
      const ended = await revokeSessionsOfUser(central, caller.id, { reason: "log-out-everywhere" });
      for (const id of ended) revoked.add(id);
      return ended.length;
    },

    async mySessions(caller: Caller) {
      const sessions = await store.listLive(caller.id);
      return sessions.map((s) => ({ ...s, current: s.id === caller.sessionId }));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
