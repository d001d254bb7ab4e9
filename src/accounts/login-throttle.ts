// Login attempts per email address: at most `maxAttempts` in a window of `windowMs` that
// starts with the first attempt, counted when an attempt starts (so parallel guesses count
// too) and forgotten after a successful login. The key is the address as typed
// (normalized), whether or not an account has it, so being throttled says nothing about
// whether the email exists.
//
// The counts live in the shared limit store (central database or Redis): every server
// process of a deployment sees the same count, so N processes still allow `maxAttempts`.
// The store's key is a hash of the address, never the address itself.
import { consumeOrRefuse, hashedKey } from "../limits/consume.ts";
import type { LimitStore } from "../data/limit-store.ts";

export interface LoginThrottleOptions {
  maxAttempts: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxAttempts: 5, windowMs: 15 * 60_000 };

export class LoginThrottle {
  private readonly limiter;

  constructor(store: LimitStore, options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.limiter = store.limiter("login-email", options.maxAttempts, Math.max(1, Math.ceil(options.windowMs / 1000)));
  }

  /** Counts one attempt for `email`, or throws RATE_LIMITED when the window is full. */
  async take(email: string): Promise<void> {
    await consumeOrRefuse(this.limiter, hashedKey(email), 1, "too many login attempts for this email");
  }

  /** After a successful login the earlier failures no longer count. */
  async reset(email: string): Promise<void> {
    await this.limiter.delete(hashedKey(email));
  }
}
