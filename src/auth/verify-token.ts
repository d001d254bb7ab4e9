// Bearer token verification with jose. Accepts only the configured algorithms (never
// "none"), checks signature, exp, nbf, issuer and audience, and turns the claims into the
// caller's identity. Any failure is UNAUTHENTICATED; the reason goes to the log only.
// Keys of a JWKS_URL are cached and rotated as src/auth/remote-key-set.ts describes.
import { readFile } from "node:fs/promises";
import {
  createLocalJWKSet,
  jwtVerify,
  type FlattenedJWSInput,
  type CompactJWSHeaderParameters,
  type JWTVerifyGetKey,
} from "jose";
import type { AuthConfig } from "../config.ts";
import { isUuid } from "../ids.ts";
import { createRemoteKeySet, type RemoteKeySetOptions } from "./remote-key-set.ts";

export interface Identity {
  userId: string;
  /** The organization the token was issued for (`org` claim), if any. */
  orgId?: string;
  /** The session the token belongs to (`sid` claim), for tokens this server issued at log-in. */
  sessionId?: string;
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

export type TokenVerifier = (token: string) => Promise<Identity>;

export async function createTokenVerifier(
  config: AuthConfig,
  jwksOptions: Partial<RemoteKeySetOptions> = {},
): Promise<TokenVerifier> {
  const secret = config.secret ? new TextEncoder().encode(config.secret) : undefined;
  const jwks = await loadJwks(config, jwksOptions);
  if (!secret && !jwks) throw new Error("no token verification key: configure JWT_SECRET, JWKS_FILE or JWKS_URL");

  // Symmetric algorithms use the secret, the others the key set: a token can never make us
  // verify an HS256 signature with a public key (the classic algorithm-confusion attack).
  const getKey = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    if (header.alg?.startsWith("HS")) {
      if (!secret) throw new InvalidTokenError("symmetric tokens are not accepted");
      return secret;
    }
    if (!jwks) throw new InvalidTokenError("asymmetric tokens are not accepted");
    return jwks(header, token);
  };

  return async (token) => {
    let payload, protectedHeader;
    try {
      ({ payload, protectedHeader } = await jwtVerify(token, getKey, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : "invalid token");
    }
    if (typeof payload.sub !== "string" || !isUuid(payload.sub)) throw new InvalidTokenError("sub is not a user id");
    const org = payload.org;
    if (org !== undefined && (typeof org !== "string" || !isUuid(org))) {
      throw new InvalidTokenError("org is not an organization id");
    }
    // Only this server's tokens (signed with its secret) name one of its sessions; an identity
    // provider's `sid` is its own session id (OIDC) and means nothing here.
    const sid = protectedHeader.alg.startsWith("HS") ? payload.sid : undefined;
    if (sid !== undefined && (typeof sid !== "string" || !isUuid(sid)))
      throw new InvalidTokenError("sid is not a session id");
    return {
      userId: payload.sub.toLowerCase(),
      orgId: org?.toLowerCase(),
      ...(sid ? { sessionId: sid.toLowerCase() } : {}),
    };
  };
}

async function loadJwks(
  config: AuthConfig,
  options: Partial<RemoteKeySetOptions>,
): Promise<JWTVerifyGetKey | undefined> {
  if (config.jwksFile) {
    const text = await readFile(config.jwksFile, "utf8");
    return createLocalJWKSet(JSON.parse(text));
  }
  if (config.jwksUrl) {
    return createRemoteKeySet(new URL(config.jwksUrl), {
      cooldownMs: config.jwks.cooldownSeconds * 1000,
      defaultMaxAgeMs: config.jwks.defaultMaxAgeSeconds * 1000,
      ...options,
    }).getKey;
  }
  return undefined;
}
