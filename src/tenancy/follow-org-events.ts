// What a running server does when the central database announces a change made elsewhere
// (an operator command, another process): a deleted or moved organization's clients are dropped.
// After the listening connection was re-established, events may have been missed: the
// cached organizations are checked against the central database instead.
import type { CentralDb } from "../data/central-client.ts";
import type { CentralListener } from "../data/central-notifications.ts";
import type { OrgClientCache } from "./org-client-cache.ts";

export function followOrgEvents(events: CentralListener, cache: OrgClientCache, central: CentralDb): () => void {
  const unsubscribe = [
    events.subscribe("org-deleted", ({ orgId }) => cache.drop(orgId)),
    // Its placement may have changed (orgs move): the next request builds a client for the new one.
    events.subscribe("org-changed", ({ orgId }) => cache.drop(orgId)),
    events.subscribe("resync", async () => {
      const cached = cache.orgIds();
      if (cached.length === 0) return;
      const deleted = await central.organization.findMany({
        where: { id: { in: cached }, state: "DELETED" },
        select: { id: true },
      });
      await Promise.all(deleted.map((org) => cache.drop(org.id)));
    }),
  ];
  return () => unsubscribe.forEach((stop) => stop());
}
