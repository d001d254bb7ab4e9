// The configuration of each area that has more than a few settings: tokens, accounts,
// organizations by host name, and the limits applied before work. src/config.ts re-exports them.
export interface AuthConfig {
  /** HS256 secret for local use; generated and persisted in dataDir when neither it nor a JWKS is configured. */
  secret?: string;
  /** Public keys for asymmetric tokens (production): a JWKS file path or an https URL. */
  jwksFile?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  /** Lifetime of tokens this server signs outside a session (demo tokens, tests), in seconds. */
  tokenTtlSeconds: number;
  /**
   * Lifetime of a session's access tokens, in seconds: also the longest a revoked session's
   * token stays usable on a process that missed the revocation event (README "Sessions").
   */
  accessTokenTtlSeconds: number;
  /** A session ends when its refresh token is not used for this long (each refresh restarts it). */
  refreshTokenTtlSeconds: number;
  /** JWKS_URL: how often an unknown `kid` may trigger a refetch, and how long keys are kept when the server says nothing. */
  jwks: { cooldownSeconds: number; defaultMaxAgeSeconds: number };
}

/** Accounts: email verification, password reset and the mail that carries their links. */
export interface AccountsConfig {
  /** Unverified accounts may log in but not create organizations or be added to one. */
  requireVerifiedEmail: boolean;
  verificationTtlMinutes: number;
  passwordResetTtlMinutes: number;
  mail: {
    /** smtp(s)://user:pass@host:port: deliver through it (nodemailer); without it the outbox and log are the delivery. */
    smtpUrl?: string;
    from: string;
    /** Print account links in the log (the embedded/dev default, so a developer can click them). */
    logLinks: boolean;
    /**
     * Links in mails are `<linkUrl>/<action>?token=...` (action: verify-email, reset-password).
     * Unset: a GraphiQL link on this server with the mutation filled in.
     */
    linkUrl?: string;
  };
}

/** Organizations selected by the request's host name (src/tenancy/org-hosts.ts). */
export interface OrgHostsConfig {
  /** `app.example`: an organization may take `<subdomain>.app.example` at creation. */
  suffix?: string;
  /** Which header names the host: `host`, or `x-forwarded-host` behind a proxy that sets it. */
  header: "host" | "x-forwarded-host";
}

/** Limits applied before work, to every request (enforced by src/http/operation-limits.ts). */
export interface OperationLimits {
  /** Request body bytes (413 above). */
  maxBodyBytes: number;
  /** Lexical tokens of a document (names, punctuation, values; comments and whitespace are free). */
  maxTokens: number;
  /** Nested selection depth (introspection's __schema excluded). */
  maxDepth: number;
  /** Aliased fields in an operation (__typename aliases free). */
  maxAliases: number;
  /** Directives in an operation. */
  maxDirectives: number;
  /** Estimated cost of one operation (see src/graphql/field-complexity.ts). */
  maxCost: number;
  /** Parsed documents kept (parse/validation cache entries). */
  parseCacheEntries: number;
  /** Estimated bytes the parse cache may hold (a document larger than a tenth of it is never cached). */
  parseCacheBytes: number;
}
