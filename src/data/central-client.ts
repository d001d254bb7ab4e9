// The central database: users, organizations, memberships and placements.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/central/client.ts";
import { withPlainPrismaPromises } from "./plain-prisma-promises.ts";
import type { QueryListener } from "./tenant-client.ts";

export type CentralDb = PrismaClient;
/** The client an interactive central transaction's work receives. */
export type CentralTx = Parameters<Parameters<CentralDb["$transaction"]>[0]>[0];
export type { Organization, User, Membership } from "./generated/central/client.ts";
export { OrgState, Role, Tier } from "./generated/central/enums.ts";

/** Connections of the central client's pool (counted in the main server's connection budget). */
export const CENTRAL_POOL_SIZE = 10;

/** `onQuery` receives every SQL statement sent (statement-count tests, like the org clients' hook). */
export function createCentralClient(
  connectionString: string,
  poolSize = CENTRAL_POOL_SIZE,
  onQuery?: QueryListener,
): CentralDb {
  const adapter = new PrismaPg({ connectionString, max: poolSize });
  if (!onQuery) return withPlainPrismaPromises(new PrismaClient({ adapter }));
  const db = withPlainPrismaPromises(new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] }));
  db.$on("query", (event) => onQuery(event.query, event.duration));
  return db;
}
