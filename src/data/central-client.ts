// The central database: users, organizations, memberships and placements.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/central/client.ts";

export type CentralDb = PrismaClient;
export type { Organization, User, Membership } from "./generated/central/client.ts";
export { OrgState, Role, Tier } from "./generated/central/enums.ts";

export function createCentralClient(connectionString: string, poolSize = 10): CentralDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}
