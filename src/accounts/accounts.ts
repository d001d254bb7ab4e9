// The central-database services the API needs (users, sessions, organizations, members),
// built once per server around the one central client. A plugin puts them on the request
// context as ctx.accounts, so resolvers call services and never hold a database client.
import type { AuthConfig } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import type { ProvisionDeps } from "../lifecycle/provision.ts";
import type { LimitStore } from "../data/limit-store.ts";
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from "./login-throttle.ts";
import { createMembers } from "./members.ts";
import { createOrganizations } from "./organizations.ts";
import { createPasswordChange } from "./password-change.ts";
import { RevokedSessions } from "./revoked-sessions.ts";
import { createSessionStore } from "./session-store.ts";
import { createSessionIssuer, createSessions, type RefreshTokenReuseHook } from "./sessions.ts";
import { createTokenSigner } from "./sign-token.ts";
import { createUserDirectory } from "./users.ts";

export interface AccountsDeps {
  central: CentralDb;
  /** How organizations are provisioned (servers, application role, default tier). */
  lifecycle: ProvisionDeps;
  auth: AuthConfig;
  /** Where log-in attempts are counted (shared by every process). */
  limitStore: LimitStore;
  loginThrottle?: LoginThrottleOptions;
  /** Told when a used refresh token is presented again (its session is revoked); the audit log's hook. */
  onRefreshTokenReused?: RefreshTokenReuseHook;
}

export function createAccounts({
  central,
  lifecycle,
  auth,
  limitStore,
  loginThrottle = DEFAULT_LOGIN_THROTTLE,
  onRefreshTokenReused,
}: AccountsDeps) {
  const store = createSessionStore(central, auth.refreshTokenTtlSeconds);
  // Checked on every request (src/auth/session-check.ts); app.ts keeps it current.
  const revokedSessions = new RevokedSessions(store, auth.accessTokenTtlSeconds * 1000);
  const sign = createTokenSigner(auth);
  const issue = createSessionIssuer(sign, store);
  const throttle = new LoginThrottle(limitStore, loginThrottle);
  return {
    users: createUserDirectory(central),
    sessions: createSessions({ central, store, sign, issue, throttle, revoked: revokedSessions, onRefreshTokenReused }),
    passwords: createPasswordChange(central, throttle, revokedSessions),
    revokedSessions,
    organizations: createOrganizations({ central, lifecycle, issue }),
    members: createMembers(central),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
