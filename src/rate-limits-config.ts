// Rate limits and quotas: the environment variables that set them and their defaults.
// config.ts spreads LIMITS_ENV into its schema and calls limitsConfig on the parsed values,
// so every setting is still read once, in one place.
import { z } from "zod";

export interface LimitsConfig {
  /** Shared counters in Redis when set; otherwise in the central database (table rate_limits). */
  redisUrl?: string;
  /** Prefix of every Redis key (several deployments may share one Redis). */
  redisKeyPrefix: string;
  /**
   * How many reverse proxies in front of the server append to X-Forwarded-For. 0: the header
   * is ignored and the client IP is the socket's peer address.
   */
  trustProxyHops: number;
  signUpsPerIpPerHour: number;
  logInsPerIpPerHour: number;
  /** The other mutations anyone may call without a token, per client IP per hour. */
  refreshesPerIpPerHour: number;
  passwordResetRequestsPerIpPerHour: number;
  passwordResetsPerIpPerHour: number;
  emailVerificationsPerIpPerHour: number;
  /** Log-in attempts per email per 15 minutes (any IP, any process). */
  logInAttemptsPerEmail: number;
  orgsPerUserPerDay: number;
  /** Defaults; each organization may have its own in the central table org_limits. */
  orgRequestsPerSecond: number;
  orgCostPerMinute: number;
  /** How long a process keeps an organization's org_limits row before reading it again. */
  orgLimitsCacheSeconds: number;
}

// Counters are PostgreSQL integers: a limit far below 2^31 leaves room for refused attempts counted past it.
const count = (fallback: number) => z.coerce.number().int().min(1).max(100_000_000).default(fallback);

const TrustProxy = z
  .string()
  .trim()
  .default("0")
  .transform((value, ctx) => {
    if (value === "false" || value === "") return 0;
    if (value === "true") return 1;
    const hops = Number(value);
    if (Number.isInteger(hops) && hops >= 0 && hops <= 10) return hops;
    ctx.addIssue({ code: "custom", message: "TRUST_PROXY must be false, true or the number of proxies (0-10)" });
    return z.NEVER;
  });

export const LIMITS_ENV = {
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,60}$/)
    .default("tenantgraph"),
  TRUST_PROXY: TrustProxy,
  SIGNUPS_PER_IP_PER_HOUR: count(20),
  LOGINS_PER_IP_PER_HOUR: count(100),
  // A session refreshes about every ACCESS_TOKEN_TTL_SECONDS (15 minutes): 600 leaves room for
  // ~150 sessions behind one address (an office NAT). The token mutations are rarer.
  REFRESHES_PER_IP_PER_HOUR: count(600),
  PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR: count(20),
  PASSWORD_RESETS_PER_IP_PER_HOUR: count(20),
  EMAIL_VERIFICATIONS_PER_IP_PER_HOUR: count(20),
  LOGIN_ATTEMPTS_PER_EMAIL: count(5),
  ORGS_PER_USER_PER_DAY: count(10),
  ORG_REQUESTS_PER_SECOND: count(50),
  ORG_COST_PER_MINUTE: count(60_000),
  ORG_LIMITS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
};

type LimitsEnv = z.output<z.ZodObject<typeof LIMITS_ENV>>;

export function limitsConfig(e: LimitsEnv): LimitsConfig {
  return {
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    trustProxyHops: e.TRUST_PROXY,
    signUpsPerIpPerHour: e.SIGNUPS_PER_IP_PER_HOUR,
    logInsPerIpPerHour: e.LOGINS_PER_IP_PER_HOUR,
    refreshesPerIpPerHour: e.REFRESHES_PER_IP_PER_HOUR,
    passwordResetRequestsPerIpPerHour: e.PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR,
    passwordResetsPerIpPerHour: e.PASSWORD_RESETS_PER_IP_PER_HOUR,
    emailVerificationsPerIpPerHour: e.EMAIL_VERIFICATIONS_PER_IP_PER_HOUR,
    logInAttemptsPerEmail: e.LOGIN_ATTEMPTS_PER_EMAIL,
    orgsPerUserPerDay: e.ORGS_PER_USER_PER_DAY,
    orgRequestsPerSecond: e.ORG_REQUESTS_PER_SECOND,
    orgCostPerMinute: e.ORG_COST_PER_MINUTE,
    orgLimitsCacheSeconds: e.ORG_LIMITS_CACHE_SECONDS,
  };
}
