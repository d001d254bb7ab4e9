// Construction of organization-data clients. Only src/tenancy (and lifecycle operations
// that own an organization's database) may import this module; resolvers get ctx.db.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/tenant/client.ts";

export type TenantDb = PrismaClient;

export interface TenantClientHandle {
  db: TenantDb;
  /** Disconnects the client and closes the pool it owns. */
  close(): Promise<void>;
}

export interface TenantClientOptions {
  connectionString: string;
  /** Connections in this client's own pool. */
  poolSize: number;
  /** Close idle pooled connections after this long (ms). */
  idleTimeoutMillis?: number;
  /** Receives every SQL statement the client sends (statement-count tests, trace logs). */
  onQuery?: QueryListener;
}

export type QueryListener = (sql: string, durationMs: number) => void;

/** A client with its own small pool: the DATABASE tier, one database per organization. */
export function createTenantClient(options: TenantClientOptions): TenantClientHandle {
  const adapter = new PrismaPg({
    connectionString: options.connectionString,
    max: options.poolSize,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
  });
  const onQuery = options.onQuery;
  if (!onQuery) {
    const db = new PrismaClient({ adapter });
    return { db, close: () => db.$disconnect() };
  }
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => onQuery(event.query, event.duration));
  return { db, close: () => db.$disconnect() };
}
