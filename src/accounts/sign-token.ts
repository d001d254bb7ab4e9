// Signs HS256 tokens with the local secret: the access tokens of sessions (with `sid`), demo
// tokens printed by `npm start`, and tests. Tokens from an identity provider are checked
// against its JWKS instead.
import { SignJWT } from "jose";
import type { AuthConfig } from "../config.ts";

export interface TokenClaims {
  userId: string;
  orgId?: string;
  /** The session the token belongs to (`sid`): a revoked session's tokens are refused. */
  sessionId?: string;
}

export async function signToken(
  config: AuthConfig,
  claims: TokenClaims,
  ttlSeconds = config.tokenTtlSeconds,
): Promise<string> {
  if (!config.secret) throw new Error("signing tokens needs JWT_SECRET (or the generated local secret)");
  const jwt = new SignJWT({
    ...(claims.orgId ? { org: claims.orgId } : {}),
    ...(claims.sessionId ? { sid: claims.sessionId } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  return jwt.sign(new TextEncoder().encode(config.secret));
}

/**
 * Access tokens for sessions and their callers: a session's live ACCESS_TOKEN_TTL_SECONDS
 * (short, because revocation reaches a process that missed the event only by expiry), tokens
 * outside a session TOKEN_TTL_SECONDS as before sessions existed.
 */
export function createTokenSigner(auth: AuthConfig) {
  return async (userId: string, orgId: string | null, sessionId: string | null, refreshToken: string | null = null) => {
    const ttl = sessionId ? auth.accessTokenTtlSeconds : auth.tokenTtlSeconds;
    const token = await signToken(auth, { userId, orgId: orgId ?? undefined, sessionId: sessionId ?? undefined }, ttl);
    return { token, expiresAt: new Date(Date.now() + ttl * 1000), userId, orgId, sessionId, refreshToken };
  };
}

export type SignAccessToken = ReturnType<typeof createTokenSigner>;
