// Identification: which organization a request is for, and whether the caller may act for
// it. Every way of naming the organization (token claim, X-Org-Id header, the caller's only
// membership) ends here, in one membership check: from this process's RouteCache when it
// knows the answer, else one statement on the central database. The cache forgets what the
// central events say changed (follow-org-events.ts), at once in the process that made the
// change and within milliseconds in every other one.
import type { CentralDb, Role } from "../data/central-client.ts";
import { isAtLeast } from "../data/migrator.ts";
import {
  readOrgAccess,
  readSoleMembership,
  type OrgAccess,
  type OrgLimitsRow,
  type OrgRoute,
} from "../data/org-access.ts";
import { appError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { RouteCache } from "./route-cache.ts";

export interface IdentifiedOrg extends OrgRoute {
  role: Role;
  /** Its own rate limits, when the route was read from the central database just now (not cached). */
  limits?: OrgLimitsRow;
}

/** `X-Org-Id` wins over the token's claim: it is how members of several orgs pick one per request. */
export function requestedOrgId(header: string | null, claim: string | undefined): string | null {
  if (header !== null && header.trim() !== "") {
    const id = header.trim().toLowerCase();
    if (!isUuid(id))
      throw appError("BAD_USER_INPUT", "X-Org-Id must be an organization id (a UUID)", { field: "X-Org-Id" });
    return id;
  }
  return claim ?? null;
}

/** Where identifyOrg reads: the central database, through this process's cache. */
export interface OrgLookup {
  central: CentralDb;
  cache: RouteCache;
}

/**
 * The organization the caller acts for, or null when none was asked for and the caller
 * belongs to several (or none). Errors: UNAUTHENTICATED when the organization does not
 * exist (or was deleted) or the user is unknown, FORBIDDEN when the user is not a member,
 * TENANT_UNAVAILABLE when it exists but is neither READY nor MOVING (a moving organization is
 * served from its source until the switch), or is not yet migrated to `requiredSchemaVersion`.
 *
 * A cached organization and membership cost no central statement; otherwise one statement
 * reads the organization, the membership and whether the user exists (src/data/org-access.ts).
 * Whoever finds the organization another way (e.g. by host name) passes its id as `orgId`.
 */
export async function identifyOrg(
  { central, cache }: OrgLookup,
  userId: string,
  orgId: string | null,
  requiredSchemaVersion: string | null,
): Promise<IdentifiedOrg | null> {
  const cached = cache.lookup(userId, orgId);
  // A cached schema version older than required is read again (a migration may have finished).
  if (cached && isAtLeast(cached.org.schemaVersion, requiredSchemaVersion)) {
    return { ...cached.org, role: cached.role };
  }
  const epoch = cache.begin();
  let access: OrgAccess;
  if (orgId) {
    access = await readOrgAccess(central, userId, orgId);
    if (!access.org || access.org.state === "DELETED") {
      throw appError("UNAUTHENTICATED", "the organization of this request does not exist");
    }
    if (!access.role) {
      if (!access.userExists) throw unknownUser();
      throw appError("FORBIDDEN", "you are not a member of this organization");
    }
  } else {
    const memberships = await readSoleMembership(central, userId);
    if (!memberships[0]!.userExists) throw unknownUser();
    if (memberships.length !== 1 || !memberships[0]!.org) return null;
    access = memberships[0]!;
  }
  const org = access.org!;
  const role = access.role!;
  if (org.state !== "READY" && org.state !== "MOVING") {
    throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is not available (${org.state.toLowerCase()})`, {
      state: org.state,
    });
  }
  // Code that needs a newer schema than the organization has must not query it.
  if (!isAtLeast(org.schemaVersion, requiredSchemaVersion)) {
    throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is migrating; retry shortly`, {
      state: "MIGRATING",
    });
  }
  cache.store(epoch, userId, org, role, orgId === null);
  return { ...org, role, limits: access.limits };
}

/** A token for a user that does not exist (deleted, or from another deployment) is not a credential. */
function unknownUser() {
  return appError("UNAUTHENTICATED", "unknown user");
}
