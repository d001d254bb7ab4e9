// Identification: which organization a request is for, and whether the caller may act for
// it. Every way of naming the organization (token claim, X-Org-Id header, the caller's only
// membership) ends here, in one membership check against the central database, uncached so
// that a removed member is refused on the very next request.
import type { CentralDb, Role } from "../data/central-client.ts";
import { isAtLeast } from "../data/migrator.ts";
import { appError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { Placement } from "../data/placement.ts";

export interface IdentifiedOrg extends Placement {
  id: string;
  slug: string;
  name: string;
  state: string;
  role: Role;
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

const ORG_FIELDS = {
  id: true,
  slug: true,
  name: true,
  state: true,
  tier: true,
  server: true,
  databaseName: true,
  schemaName: true,
  schemaVersion: true,
} as const;

/**
 * The organization the caller acts for, or null when none was asked for and the caller
 * belongs to several (or none). Errors: UNAUTHENTICATED when the organization does not
 * exist (or was deleted) or the user is unknown, FORBIDDEN when the user is not a member,
 * TENANT_UNAVAILABLE when it exists but is not READY (or MOVING: served from its source until the switch).
 */
export async function identifyOrg(
  central: CentralDb,
  userId: string,
  orgId: string | null,
  requiredSchemaVersion: string | null,
): Promise<IdentifiedOrg | null> {
  let org;
  let role: Role | undefined;
  if (orgId) {
    const found = await central.organization.findUnique({
      where: { id: orgId },
      select: { ...ORG_FIELDS, memberships: { where: { userId }, select: { role: true } } },
    });
    if (!found || found.state === "DELETED") {
      throw appError("UNAUTHENTICATED", "the organization of this request does not exist");
    }
    role = found.memberships[0]?.role;
    if (!role) {
      await refuseUnknownUser(central, userId);
      throw appError("FORBIDDEN", "you are not a member of this organization");
    }
    org = found;
  } else {
    const memberships = await central.membership.findMany({
      where: { userId, org: { state: { not: "DELETED" } } },
      select: { role: true, org: { select: ORG_FIELDS } },
      take: 2,
    });
    if (memberships.length !== 1) {
      if (memberships.length === 0) await refuseUnknownUser(central, userId);
      return null;
    }
    org = memberships[0]!.org;
    role = memberships[0]!.role;
  }
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
  return { ...org, role };
}

/** A token for a user that does not exist (deleted, or from another deployment) is not a credential. */
async function refuseUnknownUser(central: CentralDb, userId: string): Promise<void> {
  if (!(await central.user.findUnique({ where: { id: userId }, select: { id: true } }))) {
    throw appError("UNAUTHENTICATED", "unknown user");
  }
}
