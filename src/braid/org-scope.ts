// What every organization-data service receives: the request's scoped client, the
// organization and the actor. The GraphQL layer builds it from an authorized context, so a
// service never sees a request without both; the audit log and limits read it too.
import type { TenantDb } from "../data/tenant-client.ts";

/** Where a request came from, as the audit log records it. */
export interface RequestOrigin {
  requestId: string | null;
  clientIp: string | null;
  /** The operator acting as the actor with a support-access token (`tenantgraph impersonate`). */
  impersonator: string | null;
}

export interface OrgScope {
  /** The organization's client (DATABASE, SCHEMA or SHARED tier alike). */
  db: TenantDb;
  orgId: string;
  /** The signed-in user acting. */
  actorId: string;
  /** Whether a user belongs to the organization (checked in the central database). */
  isMember(userId: string): Promise<boolean>;
  /** For the audit log; unknown when missing (a service called outside a request). */
  origin?: RequestOrigin;
}

/** A client's `findMany`/`create` selection as the GraphQL layer passes it through. */
export interface Selection<Select, Include> {
  select?: Select;
  include?: Include;
}
