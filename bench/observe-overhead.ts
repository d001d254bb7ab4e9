// What metrics cost on the request path: two apps on the same central database and the same
// organizations, one with METRICS_ENABLED=false, the other with metrics on (and a scrape per
// round, as Prometheus would), measured in interleaved rounds (which app goes first alternates)
// so machine noise hits both alike. Reports each round's ratio and the median.
// npm run bench -- observe-overhead [--requests 600] [--rounds 6] [--orgs 10] [--same-both]
import { parseArgs } from "node:util";
import pino from "pino";
import { signToken } from "../src/accounts/sign-token.ts";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { table, throughput, withBenchServer } from "./harness.ts";

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: "string", default: "600" },
      rounds: { type: "string", default: "6" },
      orgs: { type: "string", default: "10" },
      // Both apps without metrics: the bias of the setup itself (an A/A run).
      "same-both": { type: "boolean", default: false },
    },
  });
  const [requests, rounds, orgCount] = [values.requests, values.rounds, values.orgs].map(Number) as [
    number,
    number,
    number,
  ];
  await withBenchServer(async (_serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    const env = {
      JWT_SECRET: "b".repeat(40),
      APP_DB_PASSWORD: "bench",
      LOG_LEVEL: "silent",
      ORG_REQUESTS_PER_SECOND: "100000000",
      ORG_COST_PER_MINUTE: "100000000",
      MAX_COST: "100000000",
    };
    const logger = pino({ level: "silent" });
    const off = await createApp(loadConfig({ ...env, METRICS_ENABLED: "false" }), centralUrl, { logger });
    const on = await createApp(
      loadConfig(values["same-both"] ? { ...env, METRICS_ENABLED: "false" } : env),
      centralUrl,
      { logger },
    );
    const tokens: string[] = [];
    try {
      for (let i = 0; i < orgCount; i++) {
        const org = await provisionOrganization(off.lifecycle, { slug: `obs-${process.pid}-${i}`, name: `Obs ${i}` });
        const user = await off.central.user.create({ data: { email: `o${i}-${process.pid}@bench.test`, name: "o" } });
        await off.central.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
        tokens.push(await signToken(off.config.auth, { userId: user.id, orgId: org.id }));
      }
      const query = `query BenchProjects { projectsConnection(first: 20) { edges { node { id name } } } }`;
      const request = (app: App) => async (i: number) => {
        const response = await app.yoga.fetch("http://bench/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${tokens[i % tokens.length]}` },
          body: JSON.stringify({ query }),
        });
        const result = (await response.json()) as { errors?: unknown[] };
        if (result.errors) throw new Error(`request failed: ${JSON.stringify(result.errors)}`);
      };
      await throughput(200, 8, request(off)); // warm up both
      await throughput(200, 8, request(on));
      const rows: Array<Record<string, string | number>> = [];
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Throughput, and this process's CPU time per request (less sensitive to other load on the machine).
        const measure = async (app: App) => {
          const cpu = process.cpuUsage();
          const perSecond = await throughput(requests, 8, request(app));
          const used = process.cpuUsage(cpu);
          return { perSecond, cpuUs: (used.user + used.system) / requests };
        };
        let withoutMetrics: Awaited<ReturnType<typeof measure>>;
        let withMetrics: Awaited<ReturnType<typeof measure>>;
        if (round % 2 === 0) {
          withoutMetrics = await measure(off);
          withMetrics = await measure(on);
        } else {
          withMetrics = await measure(on);
          withoutMetrics = await measure(off);
        }
        await on.metrics.registry.metrics(); // a scrape per round
        ratios.push(withMetrics.perSecond / withoutMetrics.perSecond);
        cpuRatios.push(withMetrics.cpuUs / withoutMetrics.cpuUs);
        rows.push({
          round,
          "off req/s": Math.round(withoutMetrics.perSecond),
          "on req/s": Math.round(withMetrics.perSecond),
          "on/off req/s": (withMetrics.perSecond / withoutMetrics.perSecond).toFixed(3),
          "off CPU µs/req": Math.round(withoutMetrics.cpuUs),
          "on CPU µs/req": Math.round(withMetrics.cpuUs),
          "on/off CPU": (withMetrics.cpuUs / withoutMetrics.cpuUs).toFixed(3),
        });
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      rows.push({
        round: "median",
        "on/off req/s": median(ratios).toFixed(3),
        "on/off CPU": median(cpuRatios).toFixed(3),
      });
      table(rows);
      console.log(`recording alone: ${recordingCost(on).toFixed(1)} µs CPU per request`);
    } finally {
      const all = await off.central.organization.findMany();
      await on.close();
      await off.close();
      for (const org of all) await dropDatabase(off.servers[org.server]!, org.databaseName);
    }
  });
}

/** The metrics work of one request by itself (what useMetrics does per request), in µs. */
function recordingCost(app: App): number {
  const metrics = app.metrics;
  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    metrics.recordOperation({
      operation: metrics.operationLabels.labelFor("BenchProjects"),
      ms: 10,
      org: { id: `bench-${i % 1000}`, slug: `bench-${i % 1000}` },
      cost: 30,
    });
    metrics.http.requests.inc({ route: "graphql", status: "200" });
    metrics.http.duration.observe({ route: "graphql" }, 0.01);
  }
  return ((performance.now() - started) * 1000) / n;
}
