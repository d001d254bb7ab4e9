// The central-database services the API needs (users, sessions, organizations, members,
// sign-up, email verification, password reset, host names), built once per server around
// the one central client. A plugin puts them on the request context as ctx.accounts, so
// resolvers call services and never hold a database client.
import type { Logger } from "pino";
import type { AccountsConfig, AuthConfig } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import type { ProvisionDeps } from "../lifecycle/provision.ts";
import type { LimitStore } from "../data/limit-store.ts";
import { BackgroundTasks } from "./background-tasks.ts";
import { createEmailVerification } from "./email-verification.ts";
import { recordAccountEvent, type AccountEvent } from "./account-audit.ts";
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from "./login-throttle.ts";
import type { AccountLinks } from "./mail/account-mails.ts";
import type { Mailer } from "./mail/mailer.ts";
import { createOutboxMailer } from "./mail/outbox-mailer.ts";
import { createSmtpTransport } from "./mail/smtp-transport.ts";
import { createMembers } from "./members.ts";
import { createOrgHostNames, defaultTxtResolver, type TxtResolver } from "./org-host-names.ts";
import { createOrganizations } from "./organizations.ts";
import { createPasswordChange } from "./password-change.ts";
import { createPasswordReset, type PasswordResetHook } from "./password-reset.ts";
import { RevokedSessions } from "./revoked-sessions.ts";
import { createSessionStore, revokeSessionsOfUser } from "./session-store.ts";
import { createSessionIssuer, createSessions, type RefreshTokenReuseHook } from "./sessions.ts";
import { createSignUp } from "./sign-up.ts";
import { createTokenSigner } from "./sign-token.ts";
import { createUserDirectory } from "./users.ts";

export interface AccountsDeps {
  central: CentralDb;
  /** How organizations are provisioned (servers, application role, default tier). */
  lifecycle: ProvisionDeps;
  auth: AuthConfig;
  accounts: AccountsConfig;
  /** Where links in mails point when ACCOUNT_LINK_URL is not set (this server's /graphql). */
  graphqlUrl: string;
  /** ORG_HOST_SUFFIX. */
  hostSuffix?: string;
  /** Where log-in attempts are counted (shared by every process). */
  limitStore: LimitStore;
  loginThrottle?: LoginThrottleOptions;
  /** Told when a used refresh token is presented again (its session is revoked); the audit log's hook. */
  onRefreshTokenReused?: RefreshTokenReuseHook;
  log: Logger;
  /** Replaces the outbox mailer (tests that make delivery fail). */
  mailer?: Mailer;
  /** DNS TXT look-ups for custom domains (tests pass their own). */
  txtResolver?: TxtResolver;
  /** Run inside a password reset's transaction: where every session of the user ends. */
  onPasswordReset?: readonly PasswordResetHook[];
}

export function createAccounts({
  central,
  lifecycle,
  auth,
  accounts: config,
  graphqlUrl,
  hostSuffix,
  limitStore,
  loginThrottle = DEFAULT_LOGIN_THROTTLE,
  log,
  mailer: givenMailer,
  txtResolver = defaultTxtResolver,
  onPasswordReset = [],
  onRefreshTokenReused,
}: AccountsDeps) {
  const store = createSessionStore(central, auth.refreshTokenTtlSeconds);
  // Checked on every request (src/auth/session-check.ts); app.ts keeps it current.
  const revokedSessions = new RevokedSessions(store, auth.accessTokenTtlSeconds * 1000);
  const sign = createTokenSigner(auth);
  const issue = createSessionIssuer(sign, store);
  const throttle = new LoginThrottle(limitStore, loginThrottle);
  const background = new BackgroundTasks(log);
  const smtp = config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl, config.mail.from) : undefined;
  const mailer =
    givenMailer ?? createOutboxMailer({ central, log, logLinks: config.mail.logLinks, transport: smtp, background });
  const links: AccountLinks = { linkUrl: config.mail.linkUrl, graphqlUrl };
  const verification = createEmailVerification({
    central,
    mailer,
    links,
    ttlMinutes: config.verificationTtlMinutes,
    required: config.requireVerifiedEmail,
    limitStore,
  });
  // A reset ends every session of the account, in the reset's transaction (the sessions-revoked
  // event it announces reaches every process, this one included, when the reset commits).
  const endSessions: PasswordResetHook = async ({ userId, tx }) => {
    await revokeSessionsOfUser(tx, userId, { reason: "password-reset" });
  };
  return {
    users: createUserDirectory(central),
    sessions: createSessions({
      central,
      store,
      sign,
      issue,
      throttle,
      revoked: revokedSessions,
      onRefreshTokenReused: async (event) => {
        // Theft detection in the central audit log (README "Sessions"), then whoever else listens.
        await recordAccountEvent(central, {
          action: "session.refresh_token_reused",
          userId: event.userId,
          details: { sessionId: event.sessionId, clientHint: event.clientHint, revoked: event.revoked },
        });
        await onRefreshTokenReused?.(event);
      },
    }),
    passwords: createPasswordChange(central, throttle, revokedSessions),
    revokedSessions,
    signUp: createSignUp({ central, mailer, verification, background }),
    verification,
    passwordReset: createPasswordReset({
      central,
      mailer,
      links,
      ttlMinutes: config.passwordResetTtlMinutes,
      limitStore,
      background,
      onPasswordReset: [endSessions, ...onPasswordReset],
    }),
    organizations: createOrganizations({ central, lifecycle, issue, verification, hostSuffix }),
    members: createMembers(central, verification.assertVerified, lifecycle.announce),
    hostNames: createOrgHostNames(central, hostSuffix, txtResolver),
    /** Waits for mails and other background work started so far (shutdown, tests). */
    drain: () => background.drain(),
    close: async () => {
      await background.drain();
      smtp?.close();
    },
    /** The central audit log (log-ins, sign-ups): append only. */
    audit: { record: (event: AccountEvent) => recordAccountEvent(central, event) },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
