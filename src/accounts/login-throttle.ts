// Login attempts per email address: at most `maxAttempts` in any `windowMs`, counted when an
// attempt starts (so parallel guesses count too) and forgotten after a successful login. The
// key is the address as typed (normalized), whether or not an account has it, so being
// throttled says nothing about whether the email exists.
//
// The counts live in this process (bounded LRU): several server processes each allow
// `maxAttempts`. A fleet would keep them in a shared store.
import { LRUCache } from "lru-cache";
import { appError } from "../errors.ts";

export interface LoginThrottleOptions {
  maxAttempts: number;
  windowMs: number;
  /** Addresses remembered at once; the least recently tried are forgotten first. */
  maxTracked?: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxAttempts: 5, windowMs: 15 * 60_000 };

export class LoginThrottle {
  private readonly attempts: LRUCache<string, number[]>;
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.attempts = new LRUCache({ max: options.maxTracked ?? 10_000 });
    this.now = options.now ?? Date.now;
  }

  /** Counts one attempt for `email`, or throws RATE_LIMITED when the window is full. */
  take(email: string): void {
    const now = this.now();
    const recent = (this.attempts.get(email) ?? []).filter((at) => at > now - this.options.windowMs);
    if (recent.length >= this.options.maxAttempts) {
      const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + this.options.windowMs - now) / 1000));
      this.attempts.set(email, recent);
      throw appError("RATE_LIMITED", `too many login attempts for this email; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    recent.push(now);
    this.attempts.set(email, recent);
  }

  /** After a successful login the earlier failures no longer count. */
  reset(email: string): void {
    this.attempts.delete(email);
  }
}
