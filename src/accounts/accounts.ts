// The central-database services the API needs (users, sessions, organizations, members),
// built once per server around the one central client. A plugin puts them on the request
// context as ctx.accounts, so resolvers call services and never hold a database client.
import type { AuthConfig } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import type { ProvisionDeps } from "../lifecycle/provision.ts";
import type { LimitStore } from "../data/limit-store.ts";
import { recordAccountEvent, type AccountEvent } from "./account-audit.ts";
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from "./login-throttle.ts";
import { createMembers } from "./members.ts";
import { createOrganizations } from "./organizations.ts";
import { createSessionIssuer, createSessions } from "./sessions.ts";
import { createUserDirectory } from "./users.ts";

export interface AccountsDeps {
  central: CentralDb;
  /** How organizations are provisioned (servers, application role, default tier). */
  lifecycle: ProvisionDeps;
  auth: AuthConfig;
  /** Where log-in attempts are counted (shared by every process). */
  limitStore: LimitStore;
  loginThrottle?: LoginThrottleOptions;
}

export function createAccounts({
  central,
  lifecycle,
  auth,
  limitStore,
  loginThrottle = DEFAULT_LOGIN_THROTTLE,
}: AccountsDeps) {
  const issue = createSessionIssuer(auth);
  return {
    users: createUserDirectory(central),
    sessions: createSessions(central, issue, new LoginThrottle(limitStore, loginThrottle)),
    organizations: createOrganizations({ central, lifecycle, issue }),
    members: createMembers(central),
    /** The central audit log (log-ins, sign-ups): append only. */
    audit: { record: (event: AccountEvent) => recordAccountEvent(central, event) },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
