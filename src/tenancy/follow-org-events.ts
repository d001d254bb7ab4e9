// What a running server does when the central database announces a change (made by an
// operator command, another process, or this one: AnnounceLocally delivers this process's own
// changes at once, the NOTIFY comes back later and finds nothing left to forget):
//  - org-deleted: forget the organization and its memberships, drop its clients;
//  - org-changed: forget its placement and state (e.g. an `orgs move` switched it), and drop its clients (after the requests
//    that borrowed them finish), so the next request reroutes to the new placement;
//  - membership-changed: forget that one membership (and the user's "only organization");
//  - resync (the listening connection was re-established, events may have been missed):
//    forget everything, and drop the clients of organizations deleted or moved meanwhile.
import type { CentralDb } from "../data/central-client.ts";
import type { CentralListener } from "../data/central-notifications.ts";
import { resolvePlacement, UnknownServerError } from "../data/placement.ts";
import type { OrgClientCache } from "./org-client-cache.ts";
import type { RouteCache } from "./route-cache.ts";

export interface OrgEventTargets {
  clients: OrgClientCache;
  routes: RouteCache;
  central: CentralDb;
  servers: Record<string, string>;
}

export function followOrgEvents(events: CentralListener, targets: OrgEventTargets): () => void {
  const { clients, routes } = targets;
  const unsubscribe = [
    events.subscribe("org-deleted", ({ orgId }) => {
      routes.forgetDeletedOrg(orgId);
      return clients.drop(orgId);
    }),
    events.subscribe("org-changed", ({ orgId }) => {
      routes.forgetOrg(orgId);
      return clients.drop(orgId);
    }),
    events.subscribe("membership-changed", ({ orgId, userId }) => routes.forgetMembership(orgId, userId)),
    events.subscribe("resync", async () => {
      routes.clear();
      await dropStaleClients(targets);
    }),
  ];
  return () => unsubscribe.forEach((stop) => stop());
}

/** Drops the clients of organizations that are no longer READY where their client connects. */
async function dropStaleClients({ clients, central, servers }: OrgEventTargets): Promise<void> {
  const cached = clients.orgIds();
  if (cached.length === 0) return;
  const orgs = await central.organization.findMany({
    where: { id: { in: cached } },
    select: { id: true, state: true, tier: true, server: true, databaseName: true, schemaName: true },
  });
  const current = new Map(orgs.map((org) => [org.id, org]));
  const stale = cached.filter((id) => {
    const org = current.get(id);
    if (!org || org.state !== "READY") return true;
    try {
      return !clients.has(resolvePlacement(org, servers).key);
    } catch (error) {
      if (error instanceof UnknownServerError) return true;
      throw error;
    }
  });
  await Promise.all(stale.map((id) => clients.drop(id)));
}
