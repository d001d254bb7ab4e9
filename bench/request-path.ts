// npm run bench -- request-path [--orgs 50] [--seconds 10] [--rounds 3] [--connections 20]
//   [--only raw,fixed,DATABASE,SCHEMA,SHARED] [--profile DIR] [--observe-cost [--observe-tier DATABASE]]
// Issue 10 items 1 and 6: the routed GraphQL request against a raw node:http + pg server
// (same SQL shape, same JWT check) and against the same schema with a fixed context, on
// orgs x 20 projects x 10 items per tier, every request another organization's token, in
// interleaved rounds. Then cold organizations' first requests against warm ones. The servers
// run in a child process (request-path-servers.ts); --profile writes its CPU profile to DIR.
// --observe-cost adds metrics on/off on reads and on an audited write mix (request-path-observe.ts).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { databaseUrlOn, hostDatabaseFor } from "../src/data/placement.ts";
import { withBenchServer } from "./harness.ts";
import { runLoad, sequentialLatencies, type LoadResult, type LoadTarget } from "./request-path-load.ts";
import { seedBenchData, TIERS } from "./request-path-data.ts";
import { measureAuditInsert } from "./request-path-audit.ts";
import {
  observeRunners,
  OBSERVE_VARIANTS,
  printAuditInsert,
  printObserveCost,
  type Runner,
} from "./request-path-observe.ts";
import { printColdWarm, printThroughput, summarize, type Summary } from "./request-path-report.ts";
import type { ServersSpec } from "./request-path-servers.ts";

const QUERY = `query RequestPath { projectsConnection(first: 20) { edges { node { id name
  itemsConnection(first: 20) { edges { node { id kind title status priority createdAt } } } } } } }`;

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orgs: { type: "string", default: "50" },
      seconds: { type: "string", default: "10" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "20" },
      only: { type: "string", default: `raw,fixed,${TIERS.join(",")}` },
      profile: { type: "string" },
      "observe-cost": { type: "boolean", default: false },
      "observe-tier": { type: "string", default: "DATABASE" },
    },
  });
  const orgs = Math.max(3, Number(values.orgs));
  const [seconds, rounds, connections] = [Number(values.seconds), Number(values.rounds), Number(values.connections)];
  const observeTier = values["observe-tier"] as (typeof TIERS)[number];
  if (!TIERS.includes(observeTier)) throw new Error(`--observe-tier: one of ${TIERS.join(", ")}`);
  await withBenchServer(async (serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    const env: Record<string, string> = {
      JWT_SECRET: "b".repeat(40),
      APP_DB_PASSWORD: "bench",
      LOG_LEVEL: "silent",
      ORG_CLIENT_CACHE_SIZE: String(orgs * TIERS.length + 10),
      // Limits high enough never to refuse: the bench measures the path, counting included.
      ORG_REQUESTS_PER_SECOND: "100000000",
      ORG_COST_PER_MINUTE: "100000000",
      MAX_COST: "100000000",
    };
    // Connection sizing is the operator's (and issue 10 item 4's): pass it through when set.
    for (const name of ["ORG_POOL_SIZE", "SHARED_POOL_SIZE", "SERVER_CONNECTION_BUDGET"])
      if (process.env[name]) env[name] = process.env[name];
    const config = loadConfig(env);
    const data = await seedBenchData(config, centralUrl, orgs);
    const spec: ServersSpec = {
      env,
      centralUrl,
      sharedDatabaseUrl: databaseUrlOn(serverUrl, hostDatabaseFor("SHARED", config.defaults.hostDatabasePrefix)),
      fixed: { orgId: data.DATABASE[0]!.id, userId: data.DATABASE[0]!.userId },
      observe: values["observe-cost"],
    };
    const profile = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [];
    const child = spawn(process.execPath, [...process.execArgv, ...profile, "bench/request-path-servers.ts"], {
      // As deployed (README "Deploying"): graphql-js skips its development-only checks.
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "production", BENCH_SERVERS: JSON.stringify(spec) },
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const nextLine = async () => (await lines.next()).value as string;
      const ports = JSON.parse(await nextLine()) as Record<"raw" | "fixed" | "routed", number> & {
        routedMetricsOff?: number;
      };
      /** The servers' CPU time and garbage-collection pauses so far, ms. */
      const serverTimes = async () => {
        child.stdin!.write("cpu\n");
        const [cpu, gc] = (await nextLine()).split(" ").map(Number);
        return { cpu: cpu!, gc: gc! };
      };
      const body = JSON.stringify({ query: QUERY });
      const tokens = (tier: (typeof TIERS)[number], from = 0, to = orgs) =>
        data[tier].slice(from, to).map((o) => o.token);
      // Organizations 0 and 1 of each tier warm the process; the others are first seen cold.
      const warmUp = (tier: (typeof TIERS)[number]) => ({ port: ports.routed, body, tokens: tokens(tier, 0, 2) });
      for (let i = 0; i < 10; i++) for (const tier of TIERS) await sequentialLatencies(warmUp(tier));
      const coldWarm: Record<string, { cold: number[]; warm: number[] }> = {};
      for (const tier of TIERS) {
        const target = { port: ports.routed, body, tokens: tokens(tier, 2) };
        coldWarm[tier] = { cold: await sequentialLatencies(target), warm: await sequentialLatencies(target) };
      }
      const targets: Record<string, LoadTarget> = {
        raw: { port: ports.raw, body, tokens: tokens("SHARED") },
        fixed: { port: ports.fixed, body, tokens: tokens("DATABASE") },
        ...Object.fromEntries(TIERS.map((tier) => [tier, { port: ports.routed, body, tokens: tokens(tier) }])),
      };
      const runners: Record<string, Runner> = {
        ...Object.fromEntries(
          Object.entries(targets).map(([name, t]) => [name, (s: number) => runLoad(t, connections, s)]),
        ),
        ...(values["observe-cost"] ? await observeRunners(ports, body, tokens(observeTier), connections) : {}),
      };
      const only = values.only.split(",").concat(values["observe-cost"] ? OBSERVE_VARIANTS : []);
      const names = only.filter((name) => runners[name]);
      const runs: Record<string, LoadResult[]> = Object.fromEntries(names.map((name) => [name, []]));
      for (const name of names) await runners[name]!(Math.min(2, seconds)); // warm-up
      for (let round = 0; round < rounds; round++) {
        // Interleaved, and each round starts with another server: drift on a loaded machine hits all alike.
        const order = names.map((_, i) => names[(i + round) % names.length]!);
        for (const name of order) {
          const before = await serverTimes();
          const result = await runners[name]!(seconds);
          const after = await serverTimes();
          runs[name]!.push({ ...result, serverCpuMs: after.cpu - before.cpu, serverGcMs: after.gc - before.gc });
        }
        process.stdout.write(`round ${round + 1}/${rounds} done\n`);
      }
      const results: Record<string, Summary> = Object.fromEntries(names.map((n) => [n, summarize(runs[n]!)]));
      console.log(
        `\n${orgs} organizations per tier x 20 projects x 10 items, ${connections} connections, ${rounds} x ${seconds} s`,
      );
      const observed = Object.fromEntries(Object.entries(results).filter(([n]) => OBSERVE_VARIANTS.includes(n)));
      printThroughput(Object.fromEntries(Object.entries(results).filter(([n]) => !OBSERVE_VARIANTS.includes(n))));
      if (values["observe-cost"]) {
        printObserveCost(observeTier, observed);
        const audit = await measureAuditInsert(config, centralUrl, data[observeTier][0]!, rounds, seconds);
        printAuditInsert(observeTier, audit);
      }
      printColdWarm(coldWarm);
    } finally {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, "exit");
    }
  });
}
