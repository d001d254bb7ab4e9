// What the routed request path costs: a full GraphQL request (token check, membership
// check in the central database, borrowing the org's client, Pothos resolvers) against the
// same data read directly with the org's Prisma client (the baseline). Also: cold-org
// requests (client created) against warm ones.
import { parseArgs } from "node:util";
import pino from "pino";
import { createApp } from "../src/app.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { signToken } from "../src/accounts/sign-token.ts";
import { loadConfig } from "../src/config.ts";
import type { Organization } from "../src/data/central-client.ts";
import { dropDatabase } from "../src/data/server-admin.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { resolvePlacement } from "../src/data/placement.ts";
import { table, throughput, withBenchServer } from "./harness.ts";

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { requests: { type: "string", default: "2000" }, orgs: { type: "string", default: "20" } },
  });
  const requests = Number(values.requests);
  const orgCount = Number(values.orgs);
  await withBenchServer(async (_serverUrl, centralUrl) => {
    await migrateCentral(centralUrl);
    // Limits high enough never to refuse: the bench measures the path, counting included.
    const limits = { ORG_REQUESTS_PER_SECOND: "100000000", ORG_COST_PER_MINUTE: "100000000", MAX_COST: "100000000" };
    const config = loadConfig({
      JWT_SECRET: "b".repeat(40),
      APP_DB_PASSWORD: "bench",
      LOG_LEVEL: "silent",
      ORG_CLIENT_CACHE_SIZE: String(orgCount * 2),
      ...limits,
    });
    const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
    const orgs: Array<{ org: Organization; token: string }> = [];
    try {
      process.stdout.write(`provisioning ${orgCount} organizations`);
      for (let i = 0; i < orgCount; i++) {
        const org = await provisionOrganization(app.lifecycle, {
          slug: `bench-${process.pid}-${i}`,
          name: `Bench ${i}`,
        });
        const user = await app.central.user.create({
          data: { email: `u${i}-${process.pid}@bench.test`, name: `u${i}` },
        });
        await app.central.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
        const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
        for (let p = 0; p < 5; p++) {
          await lease.db.project.create({
            data: {
              orgId: org.id,
              name: `p${p}`,
              createdById: user.id,
              items: { create: [{ orgId: org.id, title: "t", createdById: user.id }] },
            },
          });
        }
        lease.release();
        orgs.push({ org, token: await signToken(config.auth, { userId: user.id, orgId: org.id }) });
        process.stdout.write(".");
      }
      process.stdout.write("\n");
      const query = `{ projectsConnection(first: 100) { edges { node { id name itemsConnection(first: 100) { edges { node { id title } } } } } } }`;
      const viaGraphQL = async (i: number) => {
        const { token } = orgs[i % orgs.length]!;
        const response = await app.yoga.fetch("http://bench/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query }),
        });
        const result = (await response.json()) as { errors?: unknown[] };
        // A refused or failed request would measure nothing: stop instead.
        if (result.errors) throw new Error(`request failed: ${JSON.stringify(result.errors)}`);
        return result;
      };
      const direct = async (i: number) => {
        const { org } = orgs[i % orgs.length]!;
        const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
        try {
          return await lease.db.project.findMany({
            where: { orgId: org.id, deletedAt: null },
            include: { items: { where: { deletedAt: null } } },
            orderBy: { name: "asc" },
          });
        } finally {
          lease.release();
        }
      };
      await throughput(200, 8, viaGraphQL); // warm up both paths
      await throughput(200, 8, direct);
      const baseline = await throughput(requests, 8, direct);
      const graphql = await throughput(requests, 8, viaGraphQL);
      await app.orgClients.close();
      const cold = await throughput(orgs.length, 1, viaGraphQL);
      const warm = await throughput(orgs.length, 1, viaGraphQL);
      table([
        { path: "direct Prisma (baseline)", "req/s": Math.round(baseline), ratio: "1.00" },
        { path: "GraphQL request path", "req/s": Math.round(graphql), ratio: (graphql / baseline).toFixed(2) },
        {
          path: "cold org (new client), sequential",
          "req/s": Math.round(cold),
          ratio: (cold / warm).toFixed(2) + " of warm",
        },
        { path: "warm org, sequential", "req/s": Math.round(warm), ratio: "1.00 of warm" },
      ]);
    } finally {
      const all = await app.central.organization.findMany();
      await app.close();
      for (const org of all) await dropDatabase(app.servers[org.server]!, org.databaseName);
    }
  });
}
