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
      for (let round = 0; round < rounds; round++) {
        const measure = async (app: App) => throughput(requests, 8, request(app));
        let withoutMetrics: number;
        let withMetrics: number;
        if (round % 2 === 0) {
          withoutMetrics = await measure(off);
          withMetrics = await measure(on);
        } else {
          withMetrics = await measure(on);
          withoutMetrics = await measure(off);
        }
        await on.metrics.registry.metrics(); // a scrape per round
        ratios.push(withMetrics / withoutMetrics);
        rows.push({
          round,
          "off req/s": Math.round(withoutMetrics),
          "on req/s": Math.round(withMetrics),
          "on/off": (withMetrics / withoutMetrics).toFixed(3),
        });
      }
      const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
      rows.push({ round: "median", "off req/s": "", "on req/s": "", "on/off": median.toFixed(3) });
      table(rows);
    } finally {
      const all = await off.central.organization.findMany();
      await on.close();
      await off.close();
      for (const org of all) await dropDatabase(off.servers[org.server]!, org.databaseName);
    }
  });
}
