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
import { isMovedAway } from "../data/database-errors.ts";
import type { OrgQuotas } from "../limits/org-quotas.ts";

/** How long a request refused by a move's fence waits for the new placement to be visible. */
const MOVED_WAIT_MS = 3000;

function refusedAsMoved(result: unknown): boolean {
  const errors = (result as { errors?: readonly unknown[] } | null)?.errors;
  return Array.isArray(errors) && errors.some((error) => isMovedAway(error));
}

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
  /** The organization's rate-limit leases, taken while its client gets ready (src/limits/org-quotas.ts). */
  orgQuotas?: Pick<OrgQuotas, "prepare">;
}

export function useTenancy({
  central,
  routes,
  orgClients,
  servers,
  requiredSchemaVersion,
  orgHosts,
  metrics,
  orgQuotas,
}: TenancyOptions): Plugin<RequestContext> {
  const leases = new WeakMap<Request, OrgClientLease & { key: string }>();

  /** Identifies the organization and borrows its client; `movedFrom`: wait until the placement is another one. */
  async function attach(context: RequestContext, movedFrom?: string): Promise<Partial<RequestContext>> {
    const orgId = orgIdOnHost(
      (await orgHosts?.orgIdFor(context.request)) ?? null,
      requestedOrgId(context.request.headers.get("x-org-id"), context.requestedOrgId ?? undefined),
    );
    const identify = () => identifyOrg({ central, cache: routes }, context.user!.id, orgId, requiredSchemaVersion);
    let org = await identify();
    if (!org) return { org: null, db: NO_ORGANIZATION_DB };
    let datasource = resolvePlacement(org, servers);
    // The move's switch announces org-changed: the cached placement is forgotten, the next read is the new one.
    for (const deadline = Date.now() + MOVED_WAIT_MS; movedFrom === datasource.key && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      org = (await identify())!;
      datasource = resolvePlacement(org, servers);
    }
    const log = context.log.child({ orgId: org.id, orgSlug: org.slug });
    // A route just read (cold, or its cache entry gone) comes with the limits row: its leases are
    // taken side by side with the client's start. A cached route's leases are the rate-limit
    // plugin's to take, as it spends them. A failing limit store is reported by that plugin too.
    const quotasReady = org.limits && orgQuotas?.prepare(org.id, org.limits).catch(() => undefined);
    let lease: OrgClientLease;
    try {
      lease = await orgClients.acquire(datasource);
    } catch (error) {
      if (error instanceof TenantBusyError) {
        metrics?.tenantBusy.inc({ server: org.server });
        log.warn({ err: error }, "connection budget exhausted");
        throw appError("TENANT_BUSY", "too many organizations are busy on this server; retry shortly");
      }
      log.error({ err: error }, "organization database unreachable");
      throw appError("TENANT_UNAVAILABLE", `organization ${org.slug} is temporarily unavailable`);
    }
    leases.get(context.request)?.release();
    leases.set(context.request, { ...lease, key: datasource.key });
    await quotasReady;
    return {
      org: { id: org.id, slug: org.slug, name: org.name, tier: org.tier, role: org.role },
      db: lease.db,
      placementServer: org.server,
      log,
    };
  }

  return {
    async onContextBuilding({ context, extendContext }) {
      if (!context.user) {
        extendContext({ org: null, db: NO_ORGANIZATION_DB });
        return;
      }
      extendContext(await attach(context));
    },
    // An organization that moved while this operation ran: its old placement refused the write
    // (nothing was written there), so the operation runs once more on the new placement.
    onExecute({ executeFn }) {
      return {
        async onExecuteDone({ args, result, setResult }) {
          const context = args.contextValue as RequestContext;
          if (!context.org || !refusedAsMoved(result)) return;
          const moved = leases.get(context.request);
          context.log.info({ orgId: context.org.id }, "organization moved during the request; running it again there");
          Object.assign(context, await attach(context, moved?.key));
          setResult(await executeFn(args));
        },
      };
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
