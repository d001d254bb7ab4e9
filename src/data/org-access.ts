// What routing needs from the central database about one request, in one statement: the
// organization's placement and state, the caller's role there, and whether the caller exists
// at all (a token for a deleted user is not a credential). Two shapes, one per way of naming
// the organization: by id (token claim, X-Org-Id, host name) or "the caller's only
// membership". Each always returns whether the user exists, so a refusal needs no second query.
import type { CentralDb, Role } from "./central-client.ts";
import type { Placement } from "./placement.ts";
import { isUuid } from "../ids.ts";

/** An organization as routing sees it: where it lives, and whether it may be routed. */
export interface OrgRoute extends Placement {
  slug: string;
  name: string;
  state: string;
  schemaVersion: string | null;
}

/** An organization's own limits (central org_limits); null: the configured default. */
export interface OrgLimitsRow {
  requestsPerSecond: number | null;
  costPerMinute: number | null;
}

export interface OrgAccess {
  userExists: boolean;
  /** Null when the organization does not exist. */
  org: OrgRoute | null;
  /** The caller's role, null when not a member. */
  role: Role | null;
  /** Read in the same statement, so that a cold organization's rate limits need no statement of their own. */
  limits?: OrgLimitsRow;
}

interface Row extends Partial<OrgRoute>, Partial<OrgLimitsRow> {
  userExists: boolean;
  role: Role | null;
}

const NO_USER: OrgAccess = { userExists: false, org: null, role: null };

/** The organization `orgId` and `userId`'s membership there (one statement). */
export async function readOrgAccess(central: CentralDb, userId: string, orgId: string): Promise<OrgAccess> {
  if (!isUuid(userId)) return NO_USER;
  if (!isUuid(orgId)) return { ...NO_USER, userExists: await userExists(central, userId) };
  const [row] = await central.$queryRaw<Row[]>`
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${userId}::uuid) AS "userExists",
           o.id, o.slug, o.name, o.state::text AS state, o.tier::text AS tier, o.server,
           o.database_name AS "databaseName", o.schema_name AS "schemaName",
           o.schema_version AS "schemaVersion", m.role::text AS role,
           l.requests_per_second AS "requestsPerSecond", l.cost_per_minute AS "costPerMinute"
    FROM (SELECT 1) AS one
    LEFT JOIN organizations o ON o.id = ${orgId}::uuid
    LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = ${userId}::uuid
    LEFT JOIN org_limits l ON l.org_id = o.id`;
  return toAccess(row!);
}

/**
 * The organizations `userId` belongs to (not deleted), at most two: routing needs only to know
 * whether there is exactly one. Always at least one element (userExists set, org null when none).
 */
export async function readSoleMembership(central: CentralDb, userId: string): Promise<OrgAccess[]> {
  if (!isUuid(userId)) return [NO_USER];
  const rows = await central.$queryRaw<Row[]>`
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${userId}::uuid) AS "userExists", m.*
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT o.id, o.slug, o.name, o.state::text AS state, o.tier::text AS tier, o.server,
             o.database_name AS "databaseName", o.schema_name AS "schemaName",
             o.schema_version AS "schemaVersion", m.role::text AS role,
             l.requests_per_second AS "requestsPerSecond", l.cost_per_minute AS "costPerMinute"
      FROM memberships m JOIN organizations o ON o.id = m.org_id
      LEFT JOIN org_limits l ON l.org_id = o.id
      WHERE m.user_id = ${userId}::uuid AND o.state <> 'DELETED'
      ORDER BY o.id
      LIMIT 2
    ) AS m ON true`;
  return rows.map(toAccess);
}

async function userExists(central: CentralDb, userId: string): Promise<boolean> {
  return (await central.user.count({ where: { id: userId } })) > 0;
}

function toAccess(row: Row): OrgAccess {
  if (!row.id) return { userExists: row.userExists, org: null, role: null };
  const org: OrgRoute = {
    id: row.id,
    slug: row.slug!,
    name: row.name!,
    state: row.state!,
    tier: row.tier!,
    server: row.server!,
    databaseName: row.databaseName!,
    schemaName: row.schemaName ?? null,
    schemaVersion: row.schemaVersion ?? null,
  };
  const limits = { requestsPerSecond: row.requestsPerSecond ?? null, costPerMinute: row.costPerMinute ?? null };
  return { userExists: row.userExists, org, role: row.role, limits };
}
