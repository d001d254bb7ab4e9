// Tokens that verified, remembered by their exact text until they expire. A client sends the
// same access token with every request for its lifetime (15 minutes by default), and checking
// its signature again each time is a WebCrypto job per request (HMAC, RSA or ECDSA). Only
// tokens whose key cannot change while the process runs are remembered (the JWT_SECRET, a
// JWKS_FILE): a JWKS_URL key may be withdrawn at any time, so those are checked every time.
// Failures are never remembered: garbage must not fill the cache, and costs as much to refuse
// again. Revocation is checked after verification, on every request (session-check.ts).
import { LRUCache } from "lru-cache";

/** Enough for every token in use on a busy process; each entry is a token's text and its claims. */
const MAX_TOKENS = 10_000;

export class VerifiedTokenCache<T extends object> {
  private readonly tokens = new LRUCache<string, { value: T; expiresAtMs: number }>({ max: MAX_TOKENS });

  /** What `token` verified to, while it has not expired (jose's rule: expired once now >= exp). */
  get(token: string, now = Date.now()): T | undefined {
    const hit = this.tokens.get(token);
    if (!hit) return undefined;
    if (now >= hit.expiresAtMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return { ...hit.value }; // a copy: a request never changes what the next one gets
  }

  /** Remembers a verified token until `expSeconds` (its exp claim). */
  set(token: string, value: T, expSeconds: number): void {
    this.tokens.set(token, { value, expiresAtMs: expSeconds * 1000 });
  }

  get size(): number {
    return this.tokens.size;
  }
}
