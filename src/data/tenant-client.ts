// Construction of organization-data clients, one function per isolation tier. Only
// src/tenancy may import this module; resolvers get ctx.db.
//
// - DATABASE: one client per process (createDatabaseTierBase) whose routing pool takes every
//             statement to the pool of the organization in scope (org-pool-routing.ts); each
//             organization's view of it (scopeToOrgPool) enters its own pool: its own
//             database, as its own role.
// - SCHEMA:   one client per process too (createSchemaTierBase), whose SQL names a placeholder
//             schema; each organization's view enters a pool on its server's shared pool that
//             runs every transaction as the organization's role and names the organization's
//             schema in place of the placeholder (inOrganizationSchema).
// - SHARED:   one client per SHARED database on the server's shared pool (connected as the
//             application role, subject to row-level security), whose pool wrapper sets
//             app.org_id with set_config(..., true) for every statement, in the same round
//             trip (shared-tier-pool.ts): transaction-local, so a pooled connection never
//             carries one organization's setting into another's. Each organization's view of
//             it runs its operations as that organization (asOrganization).
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/tenant/client.ts";
import { withJsonRelationJoins } from "./json-relation-joins.ts";
import { orgRoutingPool, withOrgPool } from "./org-pool-routing.ts";
import { withPlainPrismaPromises } from "./plain-prisma-promises.ts";
import { scopedClient } from "./scoped-client.ts";
import { quoteIdentifier } from "./sql-identifiers.ts";
import { asOrganization, orgSettingPool } from "./shared-tier-pool.ts";

export type TenantDb = PrismaClient;

export interface TenantClientHandle {
  db: TenantDb;
  /** Disconnects the client; closes its pool only when it owns one. */
  close(): Promise<void>;
  /**
   * Readies a new client before its first request, failing when its database cannot be
   * reached: starts Prisma's engine (CPU here) while the connection check waits on the
   * server, side by side, so a cold organization pays for the longer of the two only.
   */
  prepare(): Promise<void>;
}

/** Receives every SQL statement a client sends (statement-count tests, trace logs). */
export type QueryListener = (sql: string, durationMs: number) => void;

function newClient(pg: PrismaPg, onQuery: QueryListener | undefined): TenantDb {
  const adapter = withJsonRelationJoins(pg);
  if (!onQuery) return withPlainPrismaPromises(new PrismaClient({ adapter }));
  const db = withPlainPrismaPromises(new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] }));
  db.$on("query", (event) => onQuery(event.query, event.duration));
  return db;
}

/**
 * The schema the SCHEMA tier's client names in every table (the adapter's `schema` option
 * qualifies them all) until an organization's pool names its own (inOrganizationSchema).
 * Upper-case: no organization's schema can be called that (sql-identifiers.ts), so a statement
 * that escaped the renaming names no schema that exists and fails.
 */
const SCHEMA_PLACEHOLDER = "TenantgraphOrganizationSchema";

/** The SCHEMA tier's client, shared by every SCHEMA-tier organization of the process; never handed to a request itself. */
export function createSchemaTierBase(onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(orgRoutingPool(), { schema: SCHEMA_PLACEHOLDER }), onQuery);
  return { db, close: () => db.$disconnect(), prepare: () => db.$connect() };
}

/**
 * A SCHEMA-tier statement as the organization whose schema is `schema`. Prisma sends every
 * value as a parameter, so the placeholder can only appear where Prisma qualified a name.
 */
export function inOrganizationSchema(schema: string): (text: string) => string {
  const placeholder = `"${SCHEMA_PLACEHOLDER}".`;
  const qualifier = `${quoteIdentifier(schema)}.`;
  return (text) => text.replaceAll(placeholder, qualifier);
}

/**
 * The client of a SHARED database, on its pool; never handed to a request itself. Its
 * statements run only inside asOrganization (scopeToOrganization), which the pool wrapper
 * turns into the organization setting; outside one they are refused.
 */
export function createSharedBaseClient(pool: pg.Pool, onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(orgSettingPool(pool)), onQuery);
  return { db, close: () => db.$disconnect(), prepare: () => db.$connect() };
}

/** SHARED tier: the base client of a SHARED database, as one organization (app.org_id set per statement). */
export function scopeToOrganization(base: TenantDb, orgId: string): TenantDb {
  return scopedClient(base, (work) => asOrganization(orgId, work));
}

/**
 * DATABASE and SCHEMA tiers: the process's one client of the tier (createDatabaseTierBase,
 * createSchemaTierBase), as one organization: every statement on the organization's pool
 * (DATABASE: own database, own role; SCHEMA: the server's shared pool, switched to its role),
 * made by src/tenancy, which counts its connections in the server's budget and closes it.
 */
export function scopeToOrgPool(base: TenantDb, pool: pg.Pool): TenantDb {
  return scopedClient(base, (work) => withOrgPool(pool, work));
}

/** The DATABASE tier's client, shared by every DATABASE-tier organization of the process; never handed to a request itself. */
export function createDatabaseTierBase(onQuery?: QueryListener): TenantClientHandle {
  const db = newClient(new PrismaPg(orgRoutingPool()), onQuery);
  return { db, close: () => db.$disconnect(), prepare: () => db.$connect() };
}
