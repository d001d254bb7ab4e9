// Deleting an organization: stop routing at once (state DELETED, memberships removed,
// org-deleted announced: this process forgets it when the transaction commits, the others
// within milliseconds, so the next request is refused), then remove its data
// (drop its database, drop its schema, or delete its rows from the shared database). Running
// servers hear of it through the central database (org-deleted) and drop their clients. The
// organization row stays as a tombstone, so its id and slug are never reused. Idempotent.
import type { Organization } from "../data/central-client.ts";
import { notifyCentral } from "../data/central-notifications.ts";
import { withPgClient } from "../data/server-admin.ts";
import { resolvePlacement, serverUrlOf } from "../data/placement.ts";
import { removeOrgData } from "./org-data.ts";
import { dropOrgRole } from "./org-roles.ts";
import type { LifecycleDeps } from "./targets.ts";

export interface DeleteDeps extends Pick<LifecycleDeps, "central" | "servers" | "announce"> {
  /** Drops cached clients of the deleted organization (the server's OrgClientCache). */
  evict?: (datasourceKey: string) => void;
  onStep?: (step: string) => void;
  /** Who deleted it (the CLI's operator), in the central audit log's organization.deleted. */
  operator?: string;
}

export async function deleteOrganization(
  deps: DeleteDeps,
  slug: string,
  expect: { id?: string } = {},
): Promise<Organization> {
  const org = await deps.central.organization.findUnique({ where: { slug } });
  if (!org) throw new Error(`no organization "${slug}"`);
  // Clean-ups name the organization they made: never another one that has the slug now.
  if (expect.id && org.id !== expect.id)
    throw new Error(`organization "${slug}" is not the one expected (${expect.id})`);
  deps.onStep?.("stop routing");
  // Interactive, not a batch with the event: see org-changes.ts (one query plan per organization otherwise).
  const tombstone = await deps.central.$transaction(async (tx) => {
    await tx.membership.deleteMany({ where: { orgId: org.id } });
    const row = await tx.organization.update({ where: { id: org.id }, data: { state: "DELETED" } });
    // Every running server drops its cached clients of this organization when this commits.
    await notifyCentral(tx, { type: "org-deleted", orgId: org.id });
    // The organization's own audit log goes with its data: its deletion is recorded centrally,
    // with the tombstone (once: a second run finishes the removal without a second record).
    if (org.state !== "DELETED") {
      await tx.accountAuditEvent.create({
        data: {
          action: "organization.deleted",
          orgId: org.id,
          operator: deps.operator ?? null,
          details: { slug: org.slug, name: org.name, tier: org.tier, server: org.server },
        },
        select: { id: true },
      });
    }
    return row;
  });
  deps.announce?.({ type: "org-deleted", orgId: org.id });
  const datasource = resolvePlacement(org, deps.servers);
  deps.evict?.(datasource.key);
  deps.onStep?.("remove data");
  await removeOrgData(org, deps.servers);
  // Its role (DATABASE, SCHEMA) goes with its data; nothing grants it anything any more.
  await withPgClient(serverUrlOf(deps.servers, org.server), (c) => dropOrgRole(c, org));
  return tombstone;
}

/** The organization's state before a delete: missing, live, or already a tombstone (a second delete). */
export async function deletionStateOf(
  deps: Pick<DeleteDeps, "central">,
  slug: string,
): Promise<"missing" | "live" | "deleted"> {
  const org = await deps.central.organization.findUnique({ where: { slug }, select: { state: true } });
  if (!org) return "missing";
  return org.state === "DELETED" ? "deleted" : "live";
}
