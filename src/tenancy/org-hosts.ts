// Organizations by host name: which organization a request's host (Host, or X-Forwarded-Host
// when ORG_HOST_HEADER says a proxy sets it) selects. Every host name is kept in memory:
// loaded on first use, then kept current by the central events (org-changed: that
// organization's hosts are read again; org-deleted: forgotten; resync: everything is read
// again), so a request costs no query and a flood of made-up Host headers costs nothing.
// An unknown host, or a header that is not a plain host name, selects nothing: today's
// behaviour (token claim, X-Org-Id, the only membership) applies.
import { hostOfHeader } from "../accounts/host-names.ts";
import type { CentralDb } from "../data/central-client.ts";
import type { CentralListener } from "../data/central-notifications.ts";
import { appError } from "../errors.ts";

export class OrgHostDirectory {
  private orgOfHost = new Map<string, string>();
  private hostsOfOrg = new Map<string, string[]>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly central: CentralDb,
    private readonly header: "host" | "x-forwarded-host",
  ) {}

  /** The id of the organization that owns the request's host, or null. */
  async orgIdFor(request: Request): Promise<string | null> {
    const host = hostOfHeader(request.headers.get(this.header));
    if (!host) return null;
    await (this.loading ??= this.loadAll().catch((error: unknown) => {
      this.loading = undefined; // the next request tries again
      throw error;
    }));
    return this.orgOfHost.get(host) ?? null;
  }

  /** Keeps the directory current; returns the unsubscribe function. */
  follow(events: CentralListener): () => void {
    const stops = [
      events.subscribe("org-changed", ({ orgId }) => this.refresh(orgId)),
      events.subscribe("org-deleted", ({ orgId }) => this.replace(orgId, [])),
      events.subscribe("resync", () => {
        this.loading = this.loadAll();
        return this.loading;
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }

  private async loadAll(): Promise<void> {
    const rows = await this.central.orgHost.findMany({
      where: { org: { state: { not: "DELETED" } } },
      select: { host: true, orgId: true },
    });
    const orgOfHost = new Map<string, string>();
    const hostsOfOrg = new Map<string, string[]>();
    for (const { host, orgId } of rows) {
      orgOfHost.set(host, orgId);
      hostsOfOrg.set(orgId, [...(hostsOfOrg.get(orgId) ?? []), host]);
    }
    this.orgOfHost = orgOfHost;
    this.hostsOfOrg = hostsOfOrg;
  }

  private async refresh(orgId: string): Promise<void> {
    if (!this.loading) return; // not loaded yet: the first use reads the current state
    await this.loading.catch(() => undefined);
    const rows = await this.central.orgHost.findMany({
      where: { orgId, org: { state: { not: "DELETED" } } },
      select: { host: true },
    });
    this.replace(
      orgId,
      rows.map((r) => r.host),
    );
  }

  private replace(orgId: string, hosts: string[]): void {
    for (const host of this.hostsOfOrg.get(orgId) ?? []) {
      if (this.orgOfHost.get(host) === orgId) this.orgOfHost.delete(host);
    }
    for (const host of hosts) this.orgOfHost.set(host, orgId);
    if (hosts.length) this.hostsOfOrg.set(orgId, hosts);
    else this.hostsOfOrg.delete(orgId);
  }
}

/**
 * The organization a request is for, given the one its host selects (if any) and the one
 * its token claim or X-Org-Id names (if any): on an organization's host, naming another
 * organization is refused (ORG_HOST_MISMATCH) rather than quietly acting elsewhere.
 */
export function orgIdOnHost(hostOrgId: string | null, namedOrgId: string | null): string | null {
  if (hostOrgId && namedOrgId && namedOrgId !== hostOrgId) {
    throw appError(
      "ORG_HOST_MISMATCH",
      "this host name belongs to another organization than the token or X-Org-Id names; use this organization's token (switchOrganization), or its own host",
    );
  }
  return hostOrgId ?? namedOrgId;
}
