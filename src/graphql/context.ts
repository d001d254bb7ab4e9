// What every resolver receives. The organization lives here, on the request, never in
// module state: Node interleaves many requests in one process.
import type { YogaInitialContext } from "graphql-yoga";
import type { Logger } from "pino";
import type { Accounts } from "../accounts/accounts.ts";
import type { OrgMembership } from "../accounts/organizations.ts";
import type { TenantDb } from "../data/tenant-client.ts";
import type { Loaders } from "./loaders.ts";

export interface CurrentUser {
  id: string;
  /** The session of the caller's token (`sid`); null for a token outside a session (demo tokens, an identity provider's). */
  sessionId: string | null;
}

/**
 * A support-access session: an operator acting as the user with a token from
 * `tenantgraph impersonate` (RFC 8693 `act` claim). Every request is audited with both.
 */
export interface Impersonation {
  /** The operator (the token's act.sub). */
  operator: string;
  /** Whether mutations are allowed (`--write`); read-only otherwise. */
  write: boolean;
  /** The support-access session (the token's jti), named by every record it leaves. */
  id: string;
  expiresAt: Date;
}

/** The request's organization, with the caller's role in it. */
export type CurrentOrg = OrgMembership;

export interface RequestContext extends YogaInitialContext {
  requestId: string;
  log: Logger;
  user: CurrentUser | null;
  /** Set while an operator acts as `user` (support access); null otherwise. */
  impersonation?: Impersonation | null;
  /** The client's address as the audit log records it (TRUST_PROXY applied). */
  clientIp?: string;
  /** Organization the token's `org` claim or `X-Org-Id` header asked for (checked by the tenancy plugin). */
  requestedOrgId: string | null;
  org: CurrentOrg | null;
  /** The server holding the organization's data (set by the tenancy plugin; for per-server metrics). */
  placementServer?: string;
  /** The caller's organization's client; throws a clear error when no organization is selected. */
  db: TenantDb;
  loaders: Loaders;
  /** Central-database services (users, sessions, organizations, members); resolvers never hold that client. */
  accounts: Accounts;
}

/** The context of a field whose auth scopes require a signed-in user (scope `signedIn`). */
export interface SignedInContext extends RequestContext {
  user: CurrentUser;
}

/** The context of a field whose auth scopes require a role in the request's organization (scope `role`). */
export interface OrgContext extends SignedInContext {
  org: CurrentOrg;
}
