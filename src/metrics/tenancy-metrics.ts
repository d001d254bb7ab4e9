// Gauges of the tenancy layer and the organization fleet, read when Prometheus scrapes (no
// work on the request path): organization clients, connection budgets, shared pools; and,
// from the central database (one grouped query, cached briefly), organizations by state and
// tier and the migration targets behind.
import { Counter, Gauge } from "prom-client";
import type { Metrics } from "./metrics.ts";

export interface TenancySource {
  clientsCached(): number;
  clientStats(): { created: number; evicted: number; closed: number };
  budget(): { capacity: number; used: Record<string, number>; waiting: number };
  sharedPools(): Array<{ server: string; kind: "schema" | "shared"; total: number; idle: number; waiting: number }>;
}

export function watchTenancy(metrics: Metrics, source: TenancySource): void {
  const registers = [metrics.registry];
  new Gauge({
    name: "tenantgraph_org_clients_cached",
    help: "Organization clients in the cache",
    registers,
    collect() {
      this.set(source.clientsCached());
    },
  });
  for (const event of ["created", "evicted", "closed"] as const) {
    new Counter({
      name: `tenantgraph_org_clients_${event}_total`,
      help: `Organization clients ${event}`,
      registers,
      collect() {
        this.reset();
        this.inc(source.clientStats()[event]);
      },
    });
  }
  new Gauge({
    name: "tenantgraph_connection_budget_capacity",
    help: "Connections this process may open per server (SERVER_CONNECTION_BUDGET)",
    registers,
    collect() {
      this.set(source.budget().capacity);
    },
  });
  new Gauge({
    name: "tenantgraph_connection_budget_used",
    help: "Connections reserved from the budget, by server",
    labelNames: ["server"] as const,
    registers,
    collect() {
      for (const [server, used] of Object.entries(source.budget().used)) this.set({ server }, used);
    },
  });
  new Gauge({
    name: "tenantgraph_connection_budget_waiting",
    help: "Cold organizations waiting for connection budget",
    registers,
    collect() {
      this.set(source.budget().waiting);
    },
  });
  new Gauge({
    name: "tenantgraph_shared_pool_connections",
    help: "Connections of the shared pools (SCHEMA host databases, SHARED databases) by server, kind and state",
    labelNames: ["server", "kind", "state"] as const,
    registers,
    collect() {
      this.reset();
      for (const pool of source.sharedPools()) {
        const labels = { server: pool.server, kind: pool.kind };
        this.inc({ ...labels, state: "total" }, pool.total);
        this.inc({ ...labels, state: "idle" }, pool.idle);
        this.inc({ ...labels, state: "waiting" }, pool.waiting);
      }
    },
  });
}

export interface FleetCounts {
  organizations: Array<{ state: string; tier: string; count: number }>;
  /** Migration targets whose schema is older than this code's: organizations and shared databases. */
  behind: { org: number; shared: number };
}

/** Organizations by state and tier, targets behind: counted by `count` at most once per `ttlMs`. */
export function watchFleet(metrics: Metrics, count: () => Promise<FleetCounts>, ttlMs = 15_000): void {
  let cached: { at: number; counts: Promise<FleetCounts> } | undefined;
  const counts = () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      cached = { at: Date.now(), counts: count() };
      // A failed count is retried at the next scrape.
      cached.counts.catch(() => (cached = undefined));
    }
    return cached.counts;
  };
  const registers = [metrics.registry];
  new Gauge({
    name: "tenantgraph_organizations",
    help: "Organizations by state and tier (central database)",
    labelNames: ["state", "tier"] as const,
    registers,
    async collect() {
      this.reset();
      const fleet = await counts().catch(() => undefined); // central database down: no series this scrape
      for (const row of fleet?.organizations ?? []) this.set({ state: row.state, tier: row.tier }, row.count);
    },
  });
  new Gauge({
    name: "tenantgraph_migration_targets_behind",
    help: "Migration targets (organization databases or schemas, shared databases) behind this code's tenant migrations",
    labelNames: ["kind"] as const,
    registers,
    async collect() {
      this.reset();
      const fleet = await counts().catch(() => undefined);
      if (!fleet) return;
      this.set({ kind: "org" }, fleet.behind.org);
      this.set({ kind: "shared" }, fleet.behind.shared);
    },
  });
}
