// Connections at scale: one in-process server with the default pool settings on an embedded
// PostgreSQL started with max_connections = 100, many DATABASE-tier and SHARED-tier
// organizations (provisioned in-process), and Zipf-distributed load over all of them.
// Prints errors by code, peak server connections against the budget, new PostgreSQL
// sessions per 1,000 requests, RSS, and what a warm DATABASE-tier organization costs in RSS.
//   npm run bench -- scale [--database 1000] [--shared 10000] [--seconds 60] [--concurrency 32] [--zipf 1.0]
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseArgs } from "node:util";
import pg from "pg";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { signToken } from "../src/accounts/sign-token.ts";
import { loadConfig } from "../src/config.ts";
import type { Tier } from "../src/data/central-client.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { table, withBenchServer } from "./harness.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 1024 * 1024;

function settledRss(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

/** Ranks 0..n-1 with P(rank k) proportional to 1 / (k + 1)^s. */
function zipfSampler(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / Math.pow(k + 1, s);
  return () => {
    const u = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function inParallel<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: "string", default: "1000" },
      shared: { type: "string", default: "10000" },
      seconds: { type: "string", default: "60" },
      concurrency: { type: "string", default: "32" },
      zipf: { type: "string", default: "1.0" },
      warm: { type: "string", default: "50" },
    },
  });
  const counts: Record<"DATABASE" | "SHARED", number> = {
    DATABASE: Number(values.database),
    SHARED: Number(values.shared),
  };
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  await withBenchServer(
    async (serverUrl, centralUrl) => {
      await migrateCentral(centralUrl);
      const config = loadConfig({
        JWT_SECRET: "s".repeat(40),
        APP_DB_PASSWORD: "bench",
        LOG_LEVEL: "silent",
        // Limits high enough never to refuse: the bench measures connections.
        ORG_REQUESTS_PER_SECOND: "100000000",
        ORG_COST_PER_MINUTE: "100000000",
        MAX_COST: "100000000",
      });
      const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        // Only what the load needs of each organization: its full row (dates, names, placement)
        // times 11,000 is memory a deployed server would not hold, counted in the RSS measured here.
        const orgs: Array<{ tier: Tier; token: string }> = [];
        for (const tier of ["DATABASE", "SHARED"] as Tier[]) {
          const n = counts[tier as "DATABASE" | "SHARED"];
          const started = performance.now();
          const made = await inParallel(n, tier === "DATABASE" ? 3 : 6, async (i) => {
            const org = await provisionOrganization(app.lifecycle, {
              slug: `${tier === "DATABASE" ? "db" : "sh"}-${i}`,
              name: `${tier} ${i}`,
              tier,
            });
            const user = await app.central.user.create({ data: { email: `${org.slug}@bench.test`, name: org.slug } });
            await app.central.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
            if ((i + 1) % Math.max(1, Math.floor(n / 10)) === 0) process.stderr.write(`${tier}: ${i + 1}/${n}\n`);
            return { tier: org.tier, token: await signToken(config.auth, { userId: user.id, orgId: org.id }) };
          });
          process.stderr.write(`${tier}: ${n} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
          orgs.push(...made);
        }
        const ask = async (i: number): Promise<string> => {
          const response = await app.yoga.fetch("http://bench/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${orgs[i]!.token}` },
            body: JSON.stringify({ query: "{ projectsConnection(first: 5) { totalCount } }" }),
          });
          const result = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
          return result.errors?.[0]?.extensions?.code ?? (result.errors ? "UNKNOWN" : "OK");
        };

        // What a warm DATABASE-tier organization costs: RSS before and after warming `warm` of them.
        const databaseOrgs = orgs.map((o, i) => [o, i] as const).filter(([o]) => o.tier === "DATABASE");
        const warmCount = Math.min(Number(values.warm), databaseOrgs.length);
        const rssBefore = settledRss();
        for (const [, i] of databaseOrgs.slice(0, warmCount)) await ask(i);
        const rssWarm = settledRss();
        const perWarmOrg = warmCount ? (rssWarm - rssBefore) / warmCount / MB : 0;

        // Zipf load over every organization, ranks shuffled so that both tiers are hot and cold.
        const rankToOrg = orgs.map((_, i) => i).sort(() => Math.random() - 0.5);
        const sample = zipfSampler(orgs.length, Number(values.zipf));
        const budget = app.orgClients.budget!;
        const sessionsBefore = budget.sessionsOpened;
        const evictedBefore = app.orgClients.stats.evicted;
        const codes = new Map<string, number>();
        let requests = 0;
        let peakConnections = 0;
        let peakRss = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const r = await admin.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            );
            peakConnections = Math.max(peakConnections, r.rows[0].n as number);
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
        const deadline = performance.now() + seconds * 1000;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (performance.now() < deadline) {
              const code = await ask(rankToOrg[sample()]!);
              codes.set(code, (codes.get(code) ?? 0) + 1);
              requests++;
            }
          }),
        );
        sampling = false;
        await sampler;
        const sessions = budget.sessionsOpened - sessionsBefore;
        const evicted = app.orgClients.stats.evicted - evictedBefore;
        process.stdout.write(
          `\n${counts.DATABASE} DATABASE + ${counts.SHARED} SHARED organizations, max_connections = 100, ` +
            `${seconds} s of Zipf(${values.zipf}) load, ${concurrency} in flight (loaded machine: compare within the run)\n`,
        );
        table([
          { figure: "requests", value: requests, target: "" },
          { figure: "requests/s", value: (requests / seconds).toFixed(0), target: "" },
          ...[...codes].map(([code, n]) => ({ figure: `answers ${code}`, value: n, target: code === "OK" ? "" : "0" })),
          { figure: "peak server connections (sampled)", value: peakConnections, target: `<= ${budget.capacity}` },
          { figure: "peak budget in use (main)", value: budget.peak("main"), target: `<= ${budget.capacity}` },
          {
            figure: "new PostgreSQL sessions per 1,000 requests",
            value: ((sessions * 1000) / Math.max(1, requests)).toFixed(1),
            target: "",
          },
          { figure: "organization clients evicted", value: evicted, target: "" },
          { figure: "peak RSS (MB)", value: (peakRss / MB).toFixed(0), target: "<= 512" },
          {
            figure: `RSS per warm DATABASE-tier organization (MB, ${warmCount} warmed)`,
            value: perWarmOrg.toFixed(2),
            target: "<= 0.5",
          },
        ]);
      } finally {
        await admin.end();
        await app.close();
      }
    },
    { maxConnections: 100 },
  );
}
