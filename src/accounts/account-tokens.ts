// Single-use, expiring tokens sent by mail (email verification, password reset). The token
// is 32 random bytes (base64url); only its SHA-256 is stored, so the table alone lets no one
// use a token. Using one is a single conditional UPDATE: of two concurrent uses exactly one
// wins, and an expired or used token changes nothing.
import { createHash, randomBytes } from "node:crypto";
import type { CentralDb, CentralTx } from "../data/central-client.ts";
import type { AccountTokenPurpose } from "../data/generated/central/enums.ts";

export type { CentralTx };
type Db = CentralDb | CentralTx;

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * A new token for `userId`; earlier unused tokens of the same purpose stop working (only
 * the newest mail's link counts).
 */
export async function issueAccountToken(
  db: Db,
  userId: string,
  purpose: AccountTokenPurpose,
  ttlMinutes: number,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  await db.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: now } });
  await db.accountToken.create({
    data: {
      tokenHash: hashOf(token),
      userId,
      purpose,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMinutes * 60_000),
    },
  });
  return token;
}

/** Marks the token used and returns its user, or null when it is unknown, used, expired or of another purpose. */
export async function useAccountToken(db: Db, token: string, purpose: AccountTokenPurpose): Promise<string | null> {
  if (typeof token !== "string" || token.length === 0 || token.length > 200) return null;
  const rows = await db.$queryRaw<Array<{ user_id: string }>>`
    UPDATE account_tokens SET used_at = now()
     WHERE token_hash = ${hashOf(token)} AND purpose = ${purpose}::"AccountTokenPurpose"
       AND used_at IS NULL AND expires_at > now()
    RETURNING user_id::text`;
  return rows[0]?.user_id ?? null;
}
