// Fleet migrations at scale: provisions N organizations (default 200), then applies one
// new migration to all of them with concurrency 1 (the baseline) and with the default
// concurrency, each a fresh migration of the same size, and times a no-op run and
// `migrate status` over the now current fleet. Ratios are against the baseline.
//   npm run bench -- fleet [--orgs 1000] [--tier SCHEMA] [--concurrency 8]
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { withMainServer, loadConfig } from "../src/config.ts";
import { createCentralClient, type Tier } from "../src/data/central-client.ts";
import { loadMigrations, migrationsDir, type Migration } from "../src/data/migrator.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
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
      orgs: { type: "string", default: "200" },
      tier: { type: "string", default: "DATABASE" },
      concurrency: { type: "string" },
    },
  });
  const count = Number(values.orgs);
  const tier = values.tier as Tier;
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
      const [, provisionSeconds] = await timed(async () => {
        for (let i = 0; i < count; i++) {
          await provisionOrganization(
            { ...deps, defaults: { hostDatabasePrefix: prefix } },
            { slug: `fleet-${i}`, name: `Fleet ${i}`, tier },
          );
          if ((i + 1) % Math.max(1, Math.floor(count / 10)) === 0)
            process.stderr.write(`provisioned ${i + 1}/${count}\n`);
        }
      });
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
      process.stdout.write(`\n${count} ${tier} organizations (provisioned in ${provisionSeconds.toFixed(1)} s)\n`);
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
          run: "migrate status",
          seconds: statusSeconds.toFixed(3),
          "orgs/s": (count / statusSeconds).toFixed(0),
          speedup: (serialSeconds / statusSeconds).toFixed(0),
        },
      ]);
    } finally {
      const orgs = await central.organization.findMany({ distinct: ["databaseName"], select: { databaseName: true } });
      for (const org of orgs) await dropDatabase(serverUrl, org.databaseName).catch(() => undefined);
      await central.$disconnect();
      await rm(scratch, { recursive: true, force: true });
    }
  });
}
