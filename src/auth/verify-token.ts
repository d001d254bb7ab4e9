// Bearer token verification with jose. Accepts only the configured algorithms (never
// "none"), checks signature, exp, nbf, issuer and audience, and turns the claims into the
// caller's identity. Any failure is UNAUTHENTICATED; the reason goes to the log only.
// Keys of a JWKS_URL are cached and rotated as src/auth/remote-key-set.ts describes; tokens
// checked with a key that cannot change are remembered until they expire (verified-token-cache.ts).
import { readFile } from "node:fs/promises";
import {
  createLocalJWKSet,
  jwtVerify,
  type FlattenedJWSInput,
  type CompactJWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { AuthConfig } from "../config.ts";
import { isUuid } from "../ids.ts";
import { createRemoteKeySet, type RemoteKeySetOptions } from "./remote-key-set.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";

export interface Identity {
  userId: string;
  /** The organization the token was issued for (`org` claim), if any. */
  orgId?: string;
  /** The session the token belongs to (`sid` claim), for tokens this server issued at log-in. */
  sessionId?: string;
  /** Support access: the operator acting as `userId` (RFC 8693 `act` claim), see readActor. */
  actor?: Actor;
}

/** Who acts as the token's subject, from a token `tenantgraph impersonate` signed. */
export interface Actor {
  /** act.sub: the operator. */
  operator: string;
  /** scope "impersonation:write": mutations allowed; read-only otherwise. */
  write: boolean;
  /** jti: the support-access session. */
  id: string;
  expiresAt: Date;
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

export type TokenVerifier = (token: string) => Promise<Identity>;

const HMAC_HASHES: Record<string, string> = { HS256: "SHA-256", HS384: "SHA-384", HS512: "SHA-512" };

/**
 * The secret as a WebCrypto key per HMAC algorithm, imported once: given the raw bytes, jose
 * imports them again for every token (one more WebCrypto job on the thread pool per check).
 * jose still checks that the key's hash is the one the token's `alg` names.
 */
function hmacKeys(raw: Uint8Array<ArrayBuffer>): (alg: string) => Promise<CryptoKey | Uint8Array> {
  const keys = new Map<string, Promise<CryptoKey>>();
  return (alg) => {
    const hash = HMAC_HASHES[alg];
    if (!hash) return Promise.resolve(raw); // an unknown HS algorithm: jose refuses it as before
    let key = keys.get(alg);
    if (!key) {
      key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["verify"]);
      keys.set(alg, key);
    }
    return key;
  };
}

export async function createTokenVerifier(
  config: AuthConfig,
  jwksOptions: Partial<RemoteKeySetOptions> = {},
): Promise<TokenVerifier> {
  const secret = config.secret ? hmacKeys(new TextEncoder().encode(config.secret)) : undefined;
  const jwks = await loadJwks(config, jwksOptions);
  if (!secret && !jwks) throw new Error("no token verification key: configure JWT_SECRET, JWKS_FILE or JWKS_URL");

  // Symmetric algorithms use the secret, the others the key set: a token can never make us
  // verify an HS256 signature with a public key (the classic algorithm-confusion attack).
  const getKey = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    if (header.alg?.startsWith("HS")) {
      if (!secret) throw new InvalidTokenError("symmetric tokens are not accepted");
      return secret(header.alg);
    }
    if (!jwks) throw new InvalidTokenError("asymmetric tokens are not accepted");
    return jwks(header, token);
  };

  const verified = new VerifiedTokenCache<Identity>();
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
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
    const actor = readActor(payload);
    if (actor && org === undefined) throw new InvalidTokenError("an act claim needs an org claim");
    const identity: Identity = {
      userId: payload.sub.toLowerCase(),
      orgId: org?.toLowerCase(),
      ...(sid ? { sessionId: sid.toLowerCase() } : {}),
      ...(actor ? { actor } : {}),
    };
    // Keys that cannot change while the process runs (the secret, a JWKS file): see verified-token-cache.ts.
    if (protectedHeader.alg.startsWith("HS") || config.jwksFile) verified.set(token, identity, payload.exp!);
    return identity;
  };
}

/** The `act` claim (RFC 8693 4.1) of a support-access token, or undefined when there is none. */
function readActor(payload: JWTPayload): Actor | undefined {
  const act = payload.act as { sub?: unknown } | undefined;
  if (act === undefined) return undefined;
  if (typeof act !== "object" || act === null || typeof act.sub !== "string" || !act.sub)
    throw new InvalidTokenError("act is not an actor claim");
  if (typeof payload.jti !== "string" || !isUuid(payload.jti)) throw new InvalidTokenError("act needs a jti");
  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
  return {
    operator: act.sub,
    write: scopes.includes("impersonation:write"),
    id: payload.jti.toLowerCase(),
    expiresAt: new Date(payload.exp! * 1000),
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
