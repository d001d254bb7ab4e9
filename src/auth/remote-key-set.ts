// The public keys of an identity provider, fetched from its JWKS URL and selected by the
// token's `kid` (jose's local key set does the selection and key import). jose's own remote
// set keeps keys for a fixed time; this one honours the server's caching instead:
// Cache-Control max-age (or s-maxage, minus Age) or Expires says how long the keys are fresh.
//
// - Stale keys are fetched again before the next verification, so a key the provider removed
//   is refused from then on.
// - A `kid` we do not know triggers a fetch at once (a key was just added), at most once per
//   cooldown: tokens with made-up kids cannot make us hammer the provider.
// - When a fetch fails the keys we have are kept and tried again after the cooldown: an
//   unreachable provider does not log everyone out (but a key it removed meanwhile is still
//   accepted until the provider answers again).
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

export interface RemoteKeySetOptions {
  /** Least time between two fetches caused by unknown kids (and the retry delay after a failed fetch). */
  cooldownMs: number;
  /** How long keys are fresh when the response says nothing about caching. */
  defaultMaxAgeMs: number;
  /** Upper bound of what the server may ask for. */
  maxMaxAgeMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export interface RemoteKeySet {
  getKey: JWTVerifyGetKey;
  /** Fetches made so far (tests and logs). */
  readonly fetches: number;
}

export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions): RemoteKeySet {
  const now = options.now ?? Date.now;
  const maxMaxAgeMs = options.maxMaxAgeMs ?? 24 * 3600_000;
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = -Infinity;
  let freshUntil = -Infinity;
  let inFlight: Promise<void> | undefined;
  let fetches = 0;

  async function load(): Promise<void> {
    fetches++;
    const started = now();
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        redirect: "error",
      });
      if (!response.ok) throw new Error(`JWKS fetch: HTTP ${response.status}`);
      keys = createLocalJWKSet((await response.json()) as JSONWebKeySet);
      const maxAge = cacheLifetimeMs(response.headers) ?? options.defaultMaxAgeMs;
      fetchedAt = started;
      freshUntil = started + Math.min(Math.max(maxAge, options.cooldownMs), maxMaxAgeMs);
    } catch (error) {
      if (!keys) throw error;
      freshUntil = started + options.cooldownMs; // keep the keys we have; ask again later
    }
  }

  function refresh(): Promise<void> {
    inFlight ??= load().finally(() => (inFlight = undefined));
    return inFlight;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!keys || now() >= freshUntil) await refresh();
    try {
      return await keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now() - fetchedAt < options.cooldownMs) throw error;
      await refresh();
      return keys!(header, token);
    }
  };

  return {
    getKey,
    get fetches() {
      return fetches;
    },
  };
}

/** How long a response may be cached, in ms, from Cache-Control or Expires; undefined when it does not say. */
export function cacheLifetimeMs(headers: Headers): number | undefined {
  const cacheControl = headers.get("cache-control")?.toLowerCase() ?? "";
  if (/(^|,)\s*(no-store|no-cache)\b/.test(cacheControl)) return 0;
  const maxAge =
    /(?:^|,)\s*s-maxage\s*=\s*"?(\d+)/.exec(cacheControl) ?? /(?:^|,)\s*max-age\s*=\s*"?(\d+)/.exec(cacheControl);
  const age = Number(headers.get("age") ?? 0) || 0;
  if (maxAge) return Math.max(0, Number(maxAge[1]) - age) * 1000;
  const expires = headers.get("expires");
  if (expires === null) return undefined;
  const expiresAt = Date.parse(expires);
  const date = Date.parse(headers.get("date") ?? "");
  if (Number.isNaN(expiresAt)) return 0; // an invalid Expires means already expired (RFC 9111)
  return Math.max(0, expiresAt - (Number.isNaN(date) ? Date.now() : date));
}
