// The per-field limits: which mutations take one point per execution, from which counter,
// keyed by what. The mutations anyone may call without a token are counted per client IP
// (src/http/client-ip.ts); creating organizations per user.
import type { LimitStore } from "../data/limit-store.ts";
import type { LimitsConfig } from "../rate-limits-config.ts";

export interface FieldLimit {
  limiter: ReturnType<LimitStore["limiter"]>;
  /** What the counter is keyed by. */
  per: "client-ip" | "user";
  /** The refusal's message: which limit was reached. */
  what: string;
}

export const LIMITED_MUTATIONS = [
  "signUp",
  "logIn",
  "refreshSession",
  "requestPasswordReset",
  "resetPassword",
  "verifyEmail",
  "createOrganization",
] as const;
export type LimitedMutation = (typeof LIMITED_MUTATIONS)[number];

const HOUR = 3600;

export function fieldLimits(store: LimitStore, limits: LimitsConfig): Record<LimitedMutation, FieldLimit> {
  // Each counter's name is its key prefix in the store: renaming one restarts its windows.
  const perIp = (name: string, points: number, what: string): FieldLimit => ({
    limiter: store.limiter(name, points, HOUR),
    per: "client-ip",
    what: `${what} from this address`,
  });
  return {
    signUp: perIp("signup-ip", limits.signUpsPerIpPerHour, "too many sign-ups"),
    logIn: perIp("login-ip", limits.logInsPerIpPerHour, "too many log-ins"),
    refreshSession: perIp("refresh-ip", limits.refreshesPerIpPerHour, "too many session refreshes"),
    requestPasswordReset: perIp(
      "reset-request-ip",
      limits.passwordResetRequestsPerIpPerHour,
      "too many password reset requests",
    ),
    resetPassword: perIp("reset-ip", limits.passwordResetsPerIpPerHour, "too many password resets"),
    verifyEmail: perIp("verify-email-ip", limits.emailVerificationsPerIpPerHour, "too many email verifications"),
    createOrganization: {
      limiter: store.limiter("orgs-user", limits.orgsPerUserPerDay, 24 * HOUR),
      per: "user",
      what: "too many organizations created by this user today",
    },
  };
}
