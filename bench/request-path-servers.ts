// The servers of the request-path benchmark, in a process of their own (the load generator
// runs in the parent): the raw baseline, the GraphQL schema with a fixed context (one
// organization's client, no token check, no membership lookup) and the routed app (every
// tier; the token picks the organization). Prints their ports as one JSON line, answers a
// "cpu" line with its CPU time so far (ms; a figure the machine's load disturbs less than
// throughput) and how long garbage collection has paused it so far (ms), and stops when its
// stdin closes. Started by request-path.ts with the configuration in BENCH_SERVERS.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PerformanceObserver } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { createYoga } from "graphql-yoga";
import pino from "pino";
import type { Accounts } from "../src/accounts/accounts.ts";
import { createApp } from "../src/app.ts";
import { createTokenVerifier } from "../src/auth/verify-token.ts";
import { loadConfig } from "../src/config.ts";
import { resolvePlacement } from "../src/data/placement.ts";
import type { RequestContext } from "../src/graphql/context.ts";
import { createLoaders } from "../src/graphql/loaders.ts";
import { useBodyLimit } from "../src/http/use-body-limit.ts";
import { useCompiledExecution } from "../src/http/use-compiled-execution.ts";
import { schema } from "../src/graphql/schema.ts";
import { startRawServer } from "./request-path-raw.ts";

export interface ServersSpec {
  env: Record<string, string>;
  centralUrl: string;
  /** The SHARED tier's host database (administrative URL), read by the raw baseline. */
  sharedDatabaseUrl: string;
  fixed: { orgId: string; userId: string };
  /** --observe-cost: also a routed app with METRICS_ENABLED=false (port "routedMetricsOff"). */
  observe?: boolean;
}

const spec = JSON.parse(process.env.BENCH_SERVERS!) as ServersSpec;
const config = loadConfig(spec.env);
const silent = pino({ level: "silent" });
const app = await createApp(config, spec.centralUrl, { logger: silent });
const metricsOff = spec.observe
  ? await createApp(loadConfig({ ...spec.env, METRICS_ENABLED: "false" }), spec.centralUrl, { logger: silent })
  : undefined;
const raw = startRawServer(
  spec.sharedDatabaseUrl,
  await createTokenVerifier(config.auth),
  config.orgClients.sharedPoolSize,
);

const org = await app.central.organization.findUniqueOrThrow({ where: { id: spec.fixed.orgId } });
const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
// Never used by the benchmark's query (no createdBy, no central data): any use fails loudly.
const accounts = new Proxy({} as Accounts, {
  get: () => {
    throw new Error("the fixed-context server has no account services");
  },
});
const fixedContext = {
  requestId: "fixed",
  log: silent,
  user: { id: spec.fixed.userId, sessionId: null },
  requestedOrgId: org.id,
  org: { id: org.id, slug: org.slug, name: org.name, tier: org.tier, role: "OWNER" as const },
  db: lease.db,
  accounts,
};
const fixed = createYoga<Record<string, unknown>, RequestContext>({
  schema,
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: false,
  logging: false,
  context: (initial) => ({ ...initial, ...fixedContext, loaders: createLoaders(accounts) }),
  // The same body limit and executor (GRAPHQL_EXECUTOR) as the routed server: the comparison is of the routing alone.
  maxRequestBodySize: false,
  plugins: [
    useBodyLimit(config.limits.maxBodyBytes),
    ...(config.http.executor === "jit" ? [useCompiledExecution()] : []),
  ],
});

const servers = {
  raw: raw.server,
  fixed: http.createServer(fixed),
  routed: http.createServer(app.yoga),
  ...(metricsOff ? { routedMetricsOff: http.createServer(metricsOff.yoga) } : {}),
};
const ports: Record<string, number> = {};
for (const [name, server] of Object.entries(servers)) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports[name] = (server.address() as AddressInfo).port;
}
console.log(JSON.stringify(ports));

// Pauses of the main thread for garbage collection (scavenges and full collections alike).
let gcPausedMs = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcPausedMs += entry.duration;
}).observe({ entryTypes: ["gc"] });

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line !== "cpu") return;
  const { user, system } = process.cpuUsage();
  console.log(`${(user + system) / 1000} ${gcPausedMs}`);
});
lines.on("close", () => {
  for (const server of Object.values(servers)) server.closeAllConnections();
  void Promise.all(Object.values(servers).map((s) => new Promise((resolve) => s.close(resolve))))
    .then(async () => {
      lease.release();
      await raw.close();
      await app.close();
      await metricsOff?.close();
    })
    .finally(() => process.exit(0));
});
