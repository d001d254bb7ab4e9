// The data of the request-path benchmark (issue 10): per tier, N organizations of 20 projects
// x 10 items, one owner each, and a token per organization. Seeded through the organization's
// own client (createMany), so each tier's rows are where that tier keeps them.
import pino from "pino";
import { signToken } from "../src/accounts/sign-token.ts";
import { createApp } from "../src/app.ts";
import type { Config } from "../src/config.ts";
import type { Tier } from "../src/data/central-client.ts";
import { resolvePlacement } from "../src/data/placement.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";

export const TIERS = ["DATABASE", "SCHEMA", "SHARED"] as const satisfies readonly Tier[];

export interface BenchOrg {
  id: string;
  userId: string;
  token: string;
}

export type BenchData = Record<(typeof TIERS)[number], BenchOrg[]>;

export async function seedBenchData(
  config: Config,
  centralUrl: string,
  orgsPerTier: number,
  shape = { projects: 20, items: 10 },
): Promise<BenchData> {
  const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
  const data: BenchData = { DATABASE: [], SCHEMA: [], SHARED: [] };
  try {
    for (const tier of TIERS) {
      process.stdout.write(`provisioning ${orgsPerTier} ${tier} organizations `);
      for (let i = 0; i < orgsPerTier; i++) {
        const slug = `bench-${tier.toLowerCase()}-${i}`;
        const org = await provisionOrganization(app.lifecycle, { slug, name: `Bench ${tier} ${i}`, tier });
        const user = await app.central.user.create({ data: { email: `${slug}@bench.test`, name: slug } });
        await app.central.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
        const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
        try {
          const projects = Array.from({ length: shape.projects }, (_, p) => ({
            id: crypto.randomUUID(),
            orgId: org.id,
            name: `project ${String(p).padStart(2, "0")}`,
            createdById: user.id,
          }));
          await lease.db.project.createMany({ data: projects });
          await lease.db.item.createMany({
            data: projects.flatMap((project) =>
              Array.from({ length: shape.items }, (_, n) => ({
                orgId: org.id,
                projectId: project.id,
                title: `item ${n} of ${project.name}`,
                description: "x".repeat(200), // a column nobody asks for, as real rows have
                createdById: user.id,
              })),
            ),
          });
        } finally {
          lease.release();
        }
        const token = await signToken(config.auth, { userId: user.id, orgId: org.id }, 24 * 3600);
        data[tier].push({ id: org.id, userId: user.id, token });
        if (i % 10 === 9) process.stdout.write(".");
      }
      process.stdout.write("\n");
    }
  } finally {
    await app.close();
  }
  return data;
}
