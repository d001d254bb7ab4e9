// Roles are ordered: each one may do everything the roles below it may.
// VIEWER reads; MEMBER also writes items; ADMIN also manages projects and members;
// OWNER also manages the organization and its owners.
import type { Role } from "../data/central-client.ts";

export type { Role };

const RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

export function hasRole(actual: Role | null | undefined, required: Role): boolean {
  return actual != null && RANK[actual] >= RANK[required];
}
