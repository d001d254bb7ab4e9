// Step 0 of provisioning: the organization's central record. Everything is checked before
// anything is written; an unfinished organization (PROVISIONING, FAILED) is resumed.
import { randomUUID } from "node:crypto";
import type { Organization } from "../data/central-client.ts";
import { notifyCentral, type CentralEvent } from "../data/central-notifications.ts";
import { databaseExists } from "../data/server-admin.ts";
import { changeOrganization } from "./org-changes.ts";
import {
  databaseNameFor,
  placementFor,
  ProvisionInputError,
  type ProvisionDeps,
  type ProvisionRequest,
} from "./provision-input.ts";
import { PIPELINES } from "./provision-steps.ts";

/**
 * Step 0: the central record, created PROVISIONING, or the existing one when resuming.
 * Everything is checked before anything is written.
 */
export async function recordOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const slug = request.slug;
  const orgName = databaseNameFor(slug);
  const name = typeof request.name === "string" ? request.name.trim() : "";
  if (name.length < 1 || name.length > 200) throw new ProvisionInputError("name", "must be 1-200 characters");
  const tier = request.tier ?? deps.defaults?.tier ?? "DATABASE";
  if (!(tier in PIPELINES)) throw new ProvisionInputError("tier", "must be DATABASE, SCHEMA or SHARED");
  const server = request.server ?? deps.defaults?.server ?? "main";
  if (!deps.servers[server]) throw new ProvisionInputError("server", `"${server}" is not a configured server`);

  const existing = await deps.central.organization.findUnique({
    where: { slug },
    include: {
      memberships: { where: { userId: request.ownerId ?? "00000000-0000-0000-0000-000000000000", role: "OWNER" } },
    },
  });
  if (existing && request.newId)
    throw new ProvisionInputError("slug", `is taken by an existing organization (${existing.state.toLowerCase()})`);
  if (existing && request.ownerId && (existing.state === "READY" || existing.memberships.length === 0)) {
    throw new ProvisionInputError("slug", "is taken");
  }
  if (existing) {
    if (existing.state === "DELETED") throw new ProvisionInputError("slug", "belongs to a deleted organization");
    if (existing.state !== "READY" && existing.state !== "PROVISIONING" && existing.state !== "FAILED") {
      throw new ProvisionInputError("slug", `organization is ${existing.state.toLowerCase()}`);
    }
    const { memberships: _, ...org } = existing;
    if (org.state === "READY") return org;
    return changeOrganization(deps, org.id, { state: "PROVISIONING" });
  }
  const placement = placementFor(tier, slug, deps.defaults?.hostDatabasePrefix);
  // A database of that name that we did not create is someone else's: never adopt it.
  if (tier === "DATABASE" && (await databaseExists(deps.servers[server]!, orgName))) {
    throw new ProvisionInputError("slug", `database ${orgName} already exists on server ${server}`);
  }
  const hosts = request.subdomainHosts ?? [];
  if (hosts.length && (await subdomainTaken(deps, hosts))) throw new ProvisionInputError("subdomain", "is taken");
  const id = request.newId ?? randomUUID();
  // The owner's membership is new: a cached "only organization" of that user is no longer true.
  const event: CentralEvent | undefined = request.ownerId
    ? { type: "membership-changed", orgId: id, userId: request.ownerId }
    : undefined;
  try {
    // Interactive, not a batch with the event: see org-changes.ts (one query plan per organization otherwise).
    const created = await deps.central.$transaction(async (tx) => {
      const row = await tx.organization.create({
        data: {
          id,
          slug,
          name,
          tier,
          server,
          ...placement,
          state: "PROVISIONING",
          ...(request.ownerId ? { memberships: { create: { userId: request.ownerId, role: "OWNER" } } } : {}),
          ...(hosts.length ? { hosts: { create: hosts.map((host) => ({ host, kind: "SUBDOMAIN" as const })) } } : {}),
        },
      });
      if (event) await notifyCentral(tx, event);
      return row;
    });
    if (event) deps.announce?.(event);
    return created;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      if (hosts.length && (await subdomainTaken(deps, hosts))) throw new ProvisionInputError("subdomain", "is taken");
      throw new ProvisionInputError("slug", "is taken");
    }
    throw error;
  }
}

async function subdomainTaken(deps: ProvisionDeps, hosts: string[]): Promise<boolean> {
  return (await deps.central.orgHost.count({ where: { host: { in: hosts } } })) > 0;
}
