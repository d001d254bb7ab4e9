// The operator CLI's start-up (README: Operator CLI). Against a scratch central database with
// a fleet (default 50 SHARED-tier organizations), runs each command as operators do, each
// time a new process, and prints medians of 5 runs: `--help` (the whole process), and
// `migrate status --json`: its start-up (process start until the command begins its database
// work, as the CLI reports it with TENANTGRAPH_STARTUP_TIME=1; wall clock and CPU) and the
// whole process. The baseline, in the same run: the same commands run from the TypeScript
// sources through tsx (how bin/tenantgraph.js ran them before the build in dist/cli).
//   npm run bench -- cli [--orgs 50] [--runs 5]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { loadConfig, withMainServer } from "../src/config.ts";
import { createCentralClient } from "../src/data/central-client.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { loadMigrations } from "../src/data/migrator.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { table, withBenchServer } from "./harness.ts";

interface Run {
  seconds: number;
  startup?: { ms: number; cpuMs: number };
}

const STARTUP = /tenantgraph: start-up (\d+) ms \(cpu (\d+) ms\)/;

function runCli(command: string[], args: string[], env: NodeJS.ProcessEnv): Run {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...command, ...args], { env, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0)
    throw new Error(`${[...command, ...args].join(" ")} exited ${result.status}: ${result.stderr}`);
  const match = STARTUP.exec(result.stderr);
  return { seconds, startup: match ? { ms: Number(match[1]), cpuMs: Number(match[2]) } : undefined };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { orgs: { type: "string", default: "50" }, runs: { type: "string", default: "5" } },
  });
  const runs = Number(values.runs);
  const config = loadConfig({ LOG_LEVEL: "silent", JWT_SECRET: "f".repeat(40) });
  await withBenchServer(async (serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    const central = createCentralClient(centralUrl);
    const prefix = `cli_${process.pid}`;
    try {
      const deps = {
        central,
        servers: withMainServer(config, centralUrl),
        appRole: { name: `${prefix}_app`, password: "bench" },
        migrations: await loadMigrations("tenant"),
        defaults: { hostDatabasePrefix: prefix },
      };
      for (let i = 0; i < Number(values.orgs); i++)
        await provisionOrganization(deps, { slug: `cli-${i}`, name: `CLI ${i}`, tier: "SHARED" });
      const env = { ...process.env, DATABASE_URL: centralUrl, APP_DB_PASSWORD: "bench", LOG_LEVEL: "silent" };
      const ways: Array<[string, string[]]> = [
        ["sources through tsx (baseline)", ["--import", "tsx", "src/cli/main.ts"]],
        ["bin/tenantgraph.js (dist/cli build)", ["bin/tenantgraph.js"]],
      ];
      // Once each first: the build is made (or found current) outside the timed runs.
      for (const [, command] of ways) runCli(command, ["--version"], env);
      const rows: Array<Record<string, string>> = [];
      for (const [way, command] of ways) {
        const help = Array.from({ length: runs }, () => runCli(command, ["--help"], env));
        const status = Array.from({ length: runs }, () =>
          runCli(command, ["migrate", "status", "--json"], { ...env, TENANTGRAPH_STARTUP_TIME: "1" }),
        );
        rows.push({
          way,
          "--help s": median(help.map((r) => r.seconds)).toFixed(3),
          "migrate status: start-up s": (median(status.map((r) => r.startup!.ms)) / 1000).toFixed(3),
          "start-up CPU s": (median(status.map((r) => r.startup!.cpuMs)) / 1000).toFixed(3),
          "whole command s": median(status.map((r) => r.seconds)).toFixed(3),
          target: "start-up <= 0.300",
        });
      }
      process.stdout.write(`\nCLI, ${values.orgs} organizations, median of ${runs} runs each\n`);
      table(rows);
    } finally {
      const orgs = await central.organization.findMany({ distinct: ["databaseName"], select: { databaseName: true } });
      for (const org of orgs) await dropDatabase(serverUrl, org.databaseName).catch(() => undefined);
      await central.$disconnect();
    }
  });
}
