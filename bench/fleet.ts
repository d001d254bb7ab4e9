// Fleet operations at scale: provisions a fleet (default 100 DATABASE-tier and 2,300
// SHARED-tier organizations: 2,400) and prints each tier's provisioning median, then applies
// one new migration to every target with concurrency 1 (the baseline) and with the default
// concurrency, each a fresh migration of the same size, and times a no-op run and `migrate
// status` over the now current fleet, in-process and as the CLI (`tenantgraph migrate
// status` end to end, and its start-up: process start until its database work begins, as
// the CLI prints it with TENANTGRAPH_STARTUP_TIME=1; bench/cli.ts has more).
//   npm run bench -- fleet [--database 100] [--schema 0] [--shared 2300] [--concurrency 8]
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { withMainServer, loadConfig } from "../src/config.ts";
import { createCentralClient, type Tier } from "../src/data/central-client.ts";
import { loadMigrations, migrationsDir, type Migration } from "../src/data/migrator.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
import { dropTemplates } from "../src/data/database-templates.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { defaultConcurrency, fleetStatus, migrateFleet } from "../src/lifecycle/migrate-fleet.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import type { LifecycleDeps } from "../src/lifecycle/targets.ts";
import { table, withBenchServer } from "./harness.ts";

async function withExtraMigrations(dir: string, names: string[]): Promise<Migration[]> {
  await cp(migrationsDir("tenant"), dir, { recursive: true });
  for (const name of names) {
    await mkdir(path.join(dir, name), { recursive: true });
    const table = name.split("_").slice(1).join("_");
    await writeFile(
      path.join(dir, name, "migration.sql"),
      `CREATE TABLE "${table}" ("id" UUID PRIMARY KEY, "org_id" UUID NOT NULL, "note" TEXT);\nCREATE INDEX "${table}_org" ON "${table}" ("org_id");\n`,
    );
  }
  return loadMigrations(dir);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: "string", default: "100" },
      schema: { type: "string", default: "0" },
      shared: { type: "string", default: "2300" },
      concurrency: { type: "string" },
    },
  });
  const tiers: Array<[Tier, number]> = [
    ["DATABASE", Number(values.database)],
    ["SCHEMA", Number(values.schema)],
    ["SHARED", Number(values.shared)],
  ];
  const count = tiers.reduce((sum, [, n]) => sum + n, 0);
  const config = loadConfig({ LOG_LEVEL: "silent", JWT_SECRET: "f".repeat(40) });
  const concurrency = values.concurrency
    ? Number(values.concurrency)
    : defaultConcurrency(config.orgClients.serverBudget);
  const scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-fleet-"));
  await withBenchServer(async (serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    const central = createCentralClient(centralUrl);
    const prefix = `fleet_${process.pid}`;
    const deps: LifecycleDeps = {
      central,
      servers: withMainServer(config, centralUrl),
      appRole: { name: `${prefix}_app`, password: "bench" },
      migrations: await loadMigrations("tenant"),
    };
    try {
      const provisioning: Array<Record<string, string | number>> = [];
      for (const [tier, n] of tiers) {
        const ms: number[] = [];
        for (let i = 0; i < n; i++) {
          const started = performance.now();
          await provisionOrganization(
            { ...deps, defaults: { hostDatabasePrefix: prefix } },
            { slug: `fleet-${tier.toLowerCase()}-${i}`, name: `Fleet ${i}`, tier },
          );
          ms.push(performance.now() - started);
          if ((i + 1) % Math.max(1, Math.floor(n / 10)) === 0) process.stderr.write(`${tier}: ${i + 1}/${n}\n`);
        }
        if (!n) continue;
        ms.sort((a, b) => a - b);
        provisioning.push({
          tier,
          organizations: n,
          "median ms": ms[Math.floor(n / 2)]!.toFixed(1),
          "p90 ms": ms[Math.floor(n * 0.9)]!.toFixed(1),
          "min ms": ms[0]!.toFixed(1),
          target: tier === "DATABASE" ? "<= 200" : tier === "SHARED" ? "<= 30" : "",
        });
      }
      const first = await withExtraMigrations(path.join(scratch, "one"), ["29990101000000_bench_one"]);
      const second = await withExtraMigrations(path.join(scratch, "two"), [
        "29990101000000_bench_one",
        "29990102000000_bench_two",
      ]);
      const [serial, serialSeconds] = await timed(() =>
        migrateFleet({ ...deps, migrations: first }, { concurrency: 1 }),
      );
      const [parallel, parallelSeconds] = await timed(() =>
        migrateFleet({ ...deps, migrations: second }, { concurrency }),
      );
      const [noop, noopSeconds] = await timed(() => migrateFleet({ ...deps, migrations: second }, { concurrency }));
      const [, statusSeconds] = await timed(() => fleetStatus({ ...deps, migrations: second }));
      const failed = [serial, parallel, noop].flatMap((r) => r.results.filter((x) => x.outcome === "failed"));
      if (failed.length) throw new Error(`${failed.length} targets failed: ${failed[0]!.error}`);
      // The CLI, end to end against this central database (median of 5 runs each).
      const runs: Array<{ seconds: number; startup: number }> = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const { stderr } = spawnSync(process.execPath, ["bin/tenantgraph.js", "migrate", "status", "--json"], {
          env: { ...process.env, DATABASE_URL: centralUrl, APP_DB_PASSWORD: "bench", TENANTGRAPH_STARTUP_TIME: "1" },
          encoding: "utf8",
        });
        const startup = Number(/start-up (\d+) ms/.exec(stderr)?.[1] ?? NaN) / 1000;
        runs.push({ seconds: (performance.now() - started) / 1000, startup });
      }
      const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
      const cliStartSeconds = median(runs.map((r) => r.startup));
      const cliStatusSeconds = median(runs.map((r) => r.seconds));
      process.stdout.write(
        `\n${count} organizations (${tiers.map(([t, n]) => `${n} ${t}`).join(", ")}); loaded machine\n`,
      );
      table(provisioning);
      table([
        {
          run: "migrate, concurrency 1 (baseline)",
          seconds: serialSeconds.toFixed(2),
          "orgs/s": (count / serialSeconds).toFixed(0),
          speedup: "1.00",
        },
        {
          run: `migrate, concurrency ${concurrency} (default)`,
          seconds: parallelSeconds.toFixed(2),
          "orgs/s": (count / parallelSeconds).toFixed(0),
          speedup: (serialSeconds / parallelSeconds).toFixed(2),
        },
        {
          run: "no-op migrate (all current)",
          seconds: noopSeconds.toFixed(3),
          "orgs/s": (count / noopSeconds).toFixed(0),
          speedup: (serialSeconds / noopSeconds).toFixed(0),
        },
        {
          run: "migrate status (in-process)",
          seconds: statusSeconds.toFixed(3),
          "orgs/s": (count / statusSeconds).toFixed(0),
          speedup: (serialSeconds / statusSeconds).toFixed(0),
        },
        {
          run: "CLI: tenantgraph migrate status (start-up)",
          seconds: cliStartSeconds.toFixed(3),
          "orgs/s": "",
          speedup: "",
        },
        {
          run: "CLI: tenantgraph migrate status (end to end)",
          seconds: cliStatusSeconds.toFixed(3),
          "orgs/s": (count / cliStatusSeconds).toFixed(0),
          speedup: "",
        },
      ]);
    } finally {
      const orgs = await central.organization.findMany({ distinct: ["databaseName"], select: { databaseName: true } });
      for (const org of orgs) await dropDatabase(serverUrl, org.databaseName).catch(() => undefined);
      await dropTemplates(serverUrl, prefix).catch(() => undefined);
      await central.$disconnect();
      await rm(scratch, { recursive: true, force: true });
    }
  });
}
