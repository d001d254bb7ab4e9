// What provisioning is asked for and checks first: the request, the organization's names
// (database and schema org_<slug>) and where a tier places it. Nothing here touches a server.
import { DEFAULT_HOST_DATABASE_PREFIX } from "../config/env-schema.ts";
import type { Organization, Tier } from "../data/central-client.ts";
import { hostDatabaseFor } from "../data/placement.ts";
import type { AppRole } from "../data/request-roles.ts";
import { databaseNameFor, ProvisionInputError } from "./org-slug.ts";
import type { LifecycleDeps } from "./targets.ts";

// The slug rules live in org-slug.ts (the CLI checks slugs without loading provisioning).
export { databaseNameFor, ProvisionInputError };

export interface ProvisionRequest {
  slug: string;
  name: string;
  tier?: Tier;
  server?: string;
  /**
   * The user creating it (self-service): recorded as OWNER together with the organization.
   * Only that user may resume it, and an existing READY slug is "taken", not returned.
   */
  ownerId?: string;
  /**
   * A new organization only, created with this id (imports): an existing slug, including a
   * deleted organization's tombstone, is refused before anything is written, never resumed.
   */
  newId?: string;
  /** Host names (a subdomain of ORG_HOST_SUFFIX) recorded with the organization; taken ones are refused. */
  subdomainHosts?: string[];
  /** The operator of a CLI command, recorded as the actor of organization.created. */
  operator?: string;
}

export interface ProvisionDeps extends Omit<LifecycleDeps, "appRole"> {
  /** Needed for the SHARED tier (the role its requests connect as). */
  appRole?: AppRole;
  defaults?: { tier?: Tier; server?: string; hostDatabasePrefix?: string };
  /** Progress lines for operators. */
  onStep?: (step: string, org: Pick<Organization, "slug">) => void;
  /** Called before each step; throwing simulates a crash there (tests). */
  beforeStep?: (step: string, org: Organization) => void | Promise<void>;
}

/** Where a new organization of `tier` lives on a server: its own database, a schema of the host database, or the shared one. */
export function placementFor(
  tier: Tier,
  slug: string,
  hostDatabasePrefix = DEFAULT_HOST_DATABASE_PREFIX,
): { databaseName: string; schemaName: string | null } {
  const orgName = databaseNameFor(slug);
  if (tier === "DATABASE") return { databaseName: orgName, schemaName: null };
  if (tier === "SCHEMA") return { databaseName: hostDatabaseFor("SCHEMA", hostDatabasePrefix), schemaName: orgName };
  return { databaseName: hostDatabaseFor("SHARED", hostDatabasePrefix), schemaName: null };
}
