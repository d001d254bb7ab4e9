// Taking points from a limiter: a full window becomes RATE_LIMITED (HTTP 429) with
// `retryAfterSeconds`; a store failure stays an internal error (masked, logged).
import { createHash } from "node:crypto";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { appError } from "../errors.ts";

export function rateLimited(what: string, msBeforeNext: number) {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  // The wait is in extensions (and the Retry-After header) only, so every refusal of one
  // limit has the same message, whenever its window started.
  return appError("RATE_LIMITED", `${what}; try again later`, { retryAfterSeconds });
}

/** Counts `points` for `key`, or throws RATE_LIMITED (`what` explains which limit) when the window is full. */
export async function consumeOrRefuse(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
  what: string,
): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (reason) {
    if (reason instanceof RateLimiterRes) throw rateLimited(what, reason.msBeforeNext);
    throw reason;
  }
}

/** A fixed-length key for a personal value (an email): stores and logs never see it. */
export function hashedKey(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 32);
}
