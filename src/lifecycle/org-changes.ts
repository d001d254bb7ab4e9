// Changing an organization's central row (state, placement, slug, name): in one transaction
// with the org-changed announcement, so every server forgets its cached placement and clients
// when the change commits, and this process at once (deps.announce). Provisioning's state
// changes, renames and moves go through here; a move's own record is written in the same
// transaction (`alongside`).
//
// An interactive transaction, not a batch `$transaction([update, notify])`: Prisma keys a
// batch's query plan by its raw statements' values, so a batch with the event (which names the
// organization) compiles a plan per organization and keeps it in the central client's plan
// cache (up to 1,000 of them, about 9 MB); alone, the update's plan serves every organization.
import type { CentralTx, Organization } from "../data/central-client.ts";
import { notifyCentral, type CentralEvent } from "../data/central-notifications.ts";
import type { LifecycleDeps } from "./targets.ts";

export type OrganizationChange = Partial<
  Pick<Organization, "state" | "tier" | "server" | "databaseName" | "schemaName" | "slug" | "name" | "lastError">
>;

/** `alongside`: other central writes that commit (or fail) with the change, e.g. a move's own record. */
export async function changeOrganization(
  deps: Pick<LifecycleDeps, "central" | "announce">,
  orgId: string,
  data: OrganizationChange,
  alongside?: (tx: CentralTx) => Promise<unknown>,
): Promise<Organization> {
  const event: CentralEvent = { type: "org-changed", orgId };
  const org = await deps.central.$transaction(async (tx) => {
    await alongside?.(tx);
    const changed = await tx.organization.update({ where: { id: orgId }, data });
    await notifyCentral(tx, event);
    return changed;
  });
  deps.announce?.(event);
  return org;
}
