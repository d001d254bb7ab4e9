// What every resolver receives. The organization lives here, on the request, never in
// module state: Node interleaves many requests in one process.
import type { YogaInitialContext } from "graphql-yoga";
import type { Logger } from "pino";
import type { Accounts } from "../accounts/accounts.ts";
import type { Role, Tier } from "../data/central-client.ts";
import type { TenantDb } from "../data/tenant-client.ts";
import type { Loaders } from "./loaders.ts";

export interface CurrentUser {
  id: string;
}

export interface CurrentOrg {
  id: string;
  slug: string;
  name: string;
  tier: Tier;
  /** The caller's role in this organization. */
  role: Role;
}

export interface RequestContext extends YogaInitialContext {
  requestId: string;
  log: Logger;
  user: CurrentUser | null;
  /** Organization the token's `org` claim or `X-Org-Id` header asked for (checked by the tenancy plugin). */
  requestedOrgId: string | null;
  org: CurrentOrg | null;
  /** The caller's organization's client; throws a clear error when no organization is selected. */
  db: TenantDb;
  loaders: Loaders;
  /** Central-database services (users, sessions, organizations, members); resolvers never hold that client. */
  accounts: Accounts;
}
