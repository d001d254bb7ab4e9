// Tenancy: after authentication, decide the request's organization (identifyOrg, through
// this process's RouteCache), find where its data lives (resolvePlacement) and borrow its client from OrgClientCache for the
// length of the request. The lease is returned when the response is sent.
import type { Plugin } from "graphql-yoga";
import type { CentralDb } from "../data/central-client.ts";
import type { RouteCache } from "./route-cache.ts";
import type { TenantDb } from "../data/tenant-client.ts";
import { appError, noOrganization } from "../errors.ts";
import type { RequestContext } from "../graphql/context.ts";
import { identifyOrg, requestedOrgId } from "./identify-org.ts";
import { orgIdOnHost, type OrgHostDirectory } from "./org-hosts.ts";
import { TenantBusyError, type OrgClientCache, type OrgClientLease } from "./org-client-cache.ts";
import { resolvePlacement } from "../data/placement.ts";
import type { Metrics } from "../metrics/metrics.ts";

export interface TenancyOptions {
  central: CentralDb;
  /** Organizations and memberships this process knows (no central statement for them). */
  routes: RouteCache;
  orgClients: OrgClientCache;
  servers: Record<string, string>;
  requiredSchemaVersion: string | null;
  /** Organizations by host name (absent: hosts select nothing). */
  orgHosts?: OrgHostDirectory;
  /** Counts TENANT_BUSY refusals per server. */
  metrics?: Pick<Metrics, "tenantBusy">;
}

export function useTenancy({
  central,
  routes,
  orgClients,
  servers,
  requiredSchemaVersion,
  orgHosts,
  metrics,
}: TenancyOptions): Plugin<RequestContext> {
  const leases = new WeakMap<Request, OrgClientLease>();
  return {
    async onContextBuilding({ context, extendContext }) {
      if (!context.user) {
        extendContext({ org: null, db: NO_ORGANIZATION_DB });
        return;
      }
      const orgId = orgIdOnHost(
        (await orgHosts?.orgIdFor(context.request)) ?? null,
        requestedOrgId(context.request.headers.get("x-org-id"), context.requestedOrgId ?? undefined),
      );
      const org = await identifyOrg({ central, cache: routes }, context.user.id, orgId, requiredSchemaVersion);
      if (!org) {
        extendContext({ org: null, db: NO_ORGANIZATION_DB });
        return;
      }
      const log = context.log.child({ orgId: org.id, orgSlug: org.slug });
      let lease: OrgClientLease;
      try {
        lease = await orgClients.acquire(resolvePlacement(org, servers));
      } catch (error) {
        if (error instanceof TenantBusyError) {
          metrics?.tenantBusy.inc({ server: org.server });
          log.warn({ err: error }, "connection budget exhausted");
          throw appError("TENANT_BUSY", "too many organizations are busy on this server; retry shortly");
        }
        log.error({ err: error }, "organization database unreachable");
        throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is temporarily unavailable`);
      }
      leases.set(context.request, lease);
      extendContext({
        org: { id: org.id, slug: org.slug, name: org.name, tier: org.tier, role: org.role },
        db: lease.db,
        placementServer: org.server,
        log,
      });
    },
    onResponse({ request }) {
      leases.get(request)?.release();
      leases.delete(request);
    },
  };
}

/**
 * Stands in for ctx.db when the request has no organization. Auth scopes keep resolvers of
 * organization data from running then; should one slip through, any use explains itself.
 */
const NO_ORGANIZATION_DB = new Proxy({} as TenantDb, {
  get(_target, property) {
    if (property === "then") return undefined; // not a thenable
    throw noOrganization();
  },
});
