// Changing an organization's central row (state, placement, slug, name): in one transaction
// with the org-changed announcement, so every server forgets its cached placement and clients
// when the change commits, and this process at once (deps.announce). Provisioning's state
// changes, renames and moves go through here.
import type { Organization } from "../data/central-client.ts";
import { notifyCentral, type CentralEvent } from "../data/central-notifications.ts";
import type { LifecycleDeps } from "./targets.ts";

export type OrganizationChange = Partial<
  Pick<Organization, "state" | "tier" | "server" | "databaseName" | "schemaName" | "slug" | "name" | "lastError">
>;

export async function changeOrganization(
  deps: Pick<LifecycleDeps, "central" | "announce">,
  orgId: string,
  data: OrganizationChange,
): Promise<Organization> {
  const event: CentralEvent = { type: "org-changed", orgId };
  const [org] = await deps.central.$transaction([
    deps.central.organization.update({ where: { id: orgId }, data }),
    notifyCentral(deps.central, event),
  ]);
  deps.announce?.(event);
  return org;
}
