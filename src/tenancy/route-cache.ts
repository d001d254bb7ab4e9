// What this process remembers of the central database so that a warm request runs no central
// statement: each routable organization's placement, each known (organization, user) role, and
// each user's only organization. Only positive answers are kept: a non-member, an unknown user
// or an organization that is not READY is read again on every request, so adding a member,
// creating a user or finishing a provisioning needs no event to take effect.
//
// Forgetting is driven by the central events (follow-org-events.ts): org-changed,
// org-deleted, membership-changed, and "resync" (forget everything) after the listening
// connection was re-established. While the process is not listening, the cache is neither read
// nor filled. A read that raced an event is not stored: every invalidation advances an epoch,
// and an answer read under an older epoch is dropped. Entries also expire after a TTL, a
// safety net for changes made by hand in SQL without an event.
import { LRUCache } from "lru-cache";
import type { Role } from "../data/central-client.ts";
import type { OrgRoute } from "../data/org-access.ts";

export interface RouteCacheOptions {
  /** Entries per kind (organizations, memberships, users' only organizations); 0 turns caching off. */
  maxEntries: number;
  ttlMs: number;
  /** Whether the central events are being received (the cache is bypassed otherwise). */
  listening(): boolean;
}

export interface RouteCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  orgs: number;
  memberships: number;
}

const membershipKey = (orgId: string, userId: string) => `${orgId}/${userId}`;

export class RouteCache {
  private readonly orgs?: LRUCache<string, OrgRoute>;
  private readonly roles?: LRUCache<string, Role>;
  /** userId -> the id of the user's only organization. */
  private readonly soleOrgs?: LRUCache<string, string>;
  private epoch = 0;
  private counters = { hits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly options: RouteCacheOptions) {
    if (options.maxEntries <= 0) return;
    const common = { max: options.maxEntries, ttl: options.ttlMs > 0 ? options.ttlMs : undefined };
    this.orgs = new LRUCache(common);
    this.roles = new LRUCache(common);
    this.soleOrgs = new LRUCache(common);
  }

  /** The epoch to pass to store() for an answer read from now on. */
  begin(): number {
    return this.epoch;
  }

  /** The organization and the caller's role there, when both are known; `orgId` null: the caller's only one. */
  lookup(userId: string, orgId: string | null): { org: OrgRoute; role: Role } | undefined {
    if (!this.orgs || !this.options.listening()) return undefined;
    const id = orgId ?? this.soleOrgs!.get(userId);
    const org = id === undefined ? undefined : this.orgs.get(id);
    const role = org ? this.roles!.get(membershipKey(org.id, userId)) : undefined;
    if (org && role) {
      this.counters.hits++;
      return { org, role };
    }
    this.counters.misses++;
    return undefined;
  }

  /**
   * Remembers a positive answer read under `epoch`: a READY organization and the user's role
   * there (and, with `sole`, that it is the user's only organization). Dropped when an event
   * arrived since.
   */
  store(epoch: number, userId: string, org: OrgRoute, role: Role, sole = false): void {
    if (!this.orgs || epoch !== this.epoch || !this.options.listening() || org.state !== "READY") return;
    this.orgs.set(org.id, org);
    this.roles!.set(membershipKey(org.id, userId), role);
    if (sole) this.soleOrgs!.set(userId, org.id);
  }

  /** Its state, placement, slug, name or schema version changed: read it again. */
  forgetOrg(orgId: string): void {
    this.invalidate();
    this.orgs?.delete(orgId);
  }

  /** Deleted (its memberships with it): nothing about it, nor anyone's "only organization" naming it, stays. */
  forgetDeletedOrg(orgId: string): void {
    this.forgetOrg(orgId);
    // Keys collected first: an LRUCache is not deleted from while it is iterated.
    const users = [...(this.soleOrgs?.entries() ?? [])].filter(([, soleOrg]) => soleOrg === orgId);
    for (const [userId] of users) this.soleOrgs!.delete(userId);
    const prefix = `${orgId}/`;
    const memberships = [...(this.roles?.keys() ?? [])].filter((key) => key.startsWith(prefix));
    for (const key of memberships) this.roles!.delete(key);
  }

  /** A membership of this user in this organization was added, removed or changed. */
  forgetMembership(orgId: string, userId: string): void {
    this.invalidate();
    this.roles?.delete(membershipKey(orgId, userId));
    this.soleOrgs?.delete(userId); // the user's number of organizations may have changed
  }

  /** Events may have been missed: forget everything. */
  clear(): void {
    this.invalidate();
    this.orgs?.clear();
    this.roles?.clear();
    this.soleOrgs?.clear();
  }

  /** Counters for metrics (the integrator wires them to prom-client). */
  stats(): RouteCacheStats {
    return { ...this.counters, orgs: this.orgs?.size ?? 0, memberships: this.roles?.size ?? 0 };
  }

  private invalidate(): void {
    this.epoch++;
    this.counters.invalidations++;
  }
}
