// What the SCHEMA tier's per-transaction role switch costs: the same Prisma reads on one
// SCHEMA-tier organization through its request client (the switcher pool, `BEGIN; SET LOCAL
// ROLE` + statement + `COMMIT`) against a client on an administrative pool with the same
// `schema` option (what requests used before per-organization roles: one round trip).
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { loadConfig } from "../src/config.ts";
import { PrismaClient } from "../src/data/generated/tenant/client.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { resolvePlacement } from "../src/data/placement.ts";
import { table, throughput, withBenchServer } from "./harness.ts";

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { requests: { type: "string", default: "2000" } } });
  const requests = Number(values.requests);
  await withBenchServer(async (_serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    const config = loadConfig({
      JWT_SECRET: "b".repeat(40),
      APP_DB_PASSWORD: "bench",
      LOG_LEVEL: "silent",
      APP_DB_ROLE: `bench_${process.pid}`,
    });
    const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
    const org = await provisionOrganization(app.lifecycle, {
      slug: `switch-${process.pid}`,
      name: "Switch",
      tier: "SCHEMA",
    });
    const datasource = resolvePlacement(org, app.servers);
    const admin = new PrismaClient({
      adapter: new PrismaPg(
        { connectionString: datasource.url, max: config.orgClients.sharedPoolSize },
        { schema: datasource.schema },
      ),
    });
    const lease = await app.orgClients.acquire(datasource);
    try {
      const user = await app.central.user.create({ data: { email: `u-${process.pid}@bench.test`, name: "u" } });
      for (let p = 0; p < 5; p++)
        await lease.db.project.create({ data: { orgId: org.id, name: `p${p}`, createdById: user.id } });
      const read = (db: typeof lease.db) => () =>
        db.project.findMany({ where: { orgId: org.id }, orderBy: { name: "asc" } });
      await throughput(200, 8, read(admin)); // warm up both
      await throughput(200, 8, read(lease.db));
      const baseline = await throughput(requests, 8, read(admin));
      const switched = await throughput(requests, 8, read(lease.db));
      table([
        { path: "administrative pool, schema option (before)", "req/s": Math.round(baseline), ratio: "1.00" },
        {
          path: "switcher pool, SET LOCAL ROLE per transaction",
          "req/s": Math.round(switched),
          ratio: (switched / baseline).toFixed(2),
        },
      ]);
    } finally {
      lease.release();
      await admin.$disconnect();
      await app.close();
      await dropDatabase(app.servers.main!, org.databaseName);
    }
  });
}
