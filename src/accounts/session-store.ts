// Sessions and their refresh tokens in the central database. A session is one chain of
// refresh tokens (its id is the chain id and the access tokens' `sid`); only SHA-256 hashes
// of the tokens are stored (they are 256 random bits, so a fast hash is enough). Each refresh
// uses the presented token up and adds the next one; a used token presented again means
// two parties hold the chain, so the whole session is revoked (theft detection).
//
// Every revocation announces `sessions-revoked` in its own transaction, so every process
// drops the session's access tokens when it commits (src/accounts/revoked-sessions.ts).
import { createHash, randomBytes } from "node:crypto";
import type { CentralDb } from "../data/central-client.ts";
import { notifyCentral } from "../data/central-notifications.ts";

type Tx = Parameters<Parameters<CentralDb["$transaction"]>[0]>[0];

/** Why a session ended (sessions.revoked_reason). */
export type RevokeReason =
  "log-out" | "log-out-everywhere" | "password-changed" | "password-reset" | "refresh-token-reused" | (string & {});

export interface SessionRow {
  id: string;
  userId: string;
  orgId: string | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

const SESSION_ROW = { id: true, userId: true, orgId: true, revokedAt: true, expiresAt: true } as const;

/** What presenting a refresh token led to. */
export type Rotation =
  | { outcome: "rotated"; session: SessionRow; refreshToken: string }
  /** Not a token we issued (or its session was deleted with its user). */
  | { outcome: "unknown" }
  /** The token was already used: the chain has two holders. */
  | { outcome: "reused"; session: SessionRow }
  /** The session was revoked or expired before this (current) token was presented. */
  | { outcome: "ended"; session: SessionRow };

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

function newRefreshToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashRefreshToken(token) };
}

/**
 * Revokes every live session of `userId` but `exceptSessionId`, and announces it. Pass the
 * transaction of the change that causes it (a password change or reset) to make both one
 * commit; with the client it runs in a transaction of its own. Returns the revoked ids.
 */
export async function revokeSessionsOfUser(
  db: CentralDb | Tx,
  userId: string,
  { exceptSessionId, reason = "revoked" }: { exceptSessionId?: string | null; reason?: RevokeReason } = {},
): Promise<string[]> {
  const revoke = async (tx: Tx) => {
    const live = await tx.session.findMany({
      where: { userId, revokedAt: null, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
      select: { id: true },
    });
    const ids = live.map((s) => s.id);
    if (ids.length === 0) return ids;
    await tx.session.updateMany({
      where: { id: { in: ids }, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
    await notifyCentral(tx, { type: "sessions-revoked", userId });
    return ids;
  };
  return "$transaction" in db ? db.$transaction(revoke) : revoke(db);
}

export function createSessionStore(central: CentralDb, refreshTtlSeconds: number) {
  const expiry = (from: Date) => new Date(from.getTime() + refreshTtlSeconds * 1000);
  const before = (from: Date) => new Date(from.getTime() - refreshTtlSeconds * 1000);

  return {
    /**
     * A new session for `userId` and its first refresh token. The user's sessions that ended
     * (revoked or expired) longer than the refresh lifetime ago go: each log-in tidies its own.
     */
    async open(userId: string, orgId: string | null, clientHint: string | null) {
      const first = newRefreshToken();
      const now = new Date();
      await central.session.deleteMany({
        where: { userId, OR: [{ revokedAt: { lt: before(now) } }, { expiresAt: { lt: before(now) } }] },
      });
      const session = await central.session.create({
        data: {
          userId,
          orgId,
          clientHint,
          createdAt: now,
          lastUsedAt: now,
          expiresAt: expiry(now),
          refreshTokens: { create: { tokenHash: first.tokenHash } },
        },
        select: { id: true },
      });
      return { sessionId: session.id, refreshToken: first.token };
    },

    /** Uses `token` up and returns the chain's next token, or says why not (nothing revoked here). */
    rotate(token: string, clientHint: string | null): Promise<Rotation> {
      const tokenHash = hashRefreshToken(token);
      return central.$transaction(async (tx): Promise<Rotation> => {
        const now = new Date();
        // The conditional update is the claim: of two concurrent refreshes with one token,
        // the second waits for the first's row lock and then finds the token used.
        const claimed = await tx.refreshToken.updateMany({ where: { tokenHash, usedAt: null }, data: { usedAt: now } });
        const found = await tx.refreshToken.findUnique({
          where: { tokenHash },
          select: { session: { select: SESSION_ROW } },
        });
        if (!found) return { outcome: "unknown" };
        const session = found.session;
        if (claimed.count === 0) return { outcome: "reused", session };
        if (session.revokedAt || session.expiresAt <= now) return { outcome: "ended", session };
        const next = newRefreshToken();
        await tx.refreshToken.create({ data: { tokenHash: next.tokenHash, sessionId: session.id } });
        // Used tokens are kept for replays to be recognized, but not forever: one older than
        // the refresh lifetime is forgotten (presenting it is refused without ending the session).
        await tx.refreshToken.deleteMany({ where: { sessionId: session.id, usedAt: { lt: before(now) } } });
        await tx.session.update({
          where: { id: session.id },
          data: { lastUsedAt: now, expiresAt: expiry(now), ...(clientHint ? { clientHint } : {}) },
          select: { id: true },
        });
        return { outcome: "rotated", session, refreshToken: next.token };
      });
    },

    /** Revokes one session of `userId`; false when it was not live (already ended, or not theirs). */
    revoke(sessionId: string, userId: string, reason: RevokeReason): Promise<boolean> {
      return central.$transaction(async (tx) => {
        const { count } = await tx.session.updateMany({
          where: { id: sessionId, userId, revokedAt: null },
          data: { revokedAt: new Date(), revokedReason: reason },
        });
        if (count > 0) await notifyCentral(tx, { type: "sessions-revoked", userId, sessionId });
        return count > 0;
      });
    },

    /** Remembers the organization a live session acts for; false when the session has ended. */
    async actFor(sessionId: string, userId: string, orgId: string | null): Promise<boolean> {
      const { count } = await central.session.updateMany({
        where: { id: sessionId, userId, revokedAt: null, expiresAt: { gt: new Date() } },
        data: { orgId },
      });
      return count > 0;
    },

    /** The user's live sessions, most recently used first. */
    listLive(userId: string) {
      return central.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
        select: { id: true, createdAt: true, lastUsedAt: true, clientHint: true },
        orderBy: [{ lastUsedAt: "desc" }, { id: "asc" }],
      });
    },

    /** Sessions revoked since `since` (of one user, or all): what the revocation set holds. */
    revokedSince(since: Date, userId?: string) {
      return central.session.findMany({
        where: { revokedAt: { gte: since }, ...(userId ? { userId } : {}) },
        select: { id: true, revokedAt: true },
      });
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
