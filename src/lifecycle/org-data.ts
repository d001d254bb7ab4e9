// Administrative access to one organization's rows, whatever its tier: the organization
// tables (every table with org_id) in foreign-key order, read and written over a direct
// connection scoped to the organization's database or schema, always filtered by org_id
// and with app.org_id set, so row-level security (SHARED tier) applies as for requests.
import type pg from "pg";
import type { Organization } from "../data/central-client.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { dropDatabase, inTransaction, withPgClient } from "../data/server-admin.ts";
import { resolvePlacement, serverUrlOf } from "../data/placement.ts";

/**
 * Organization tables requests may only append to and read (the audit log): the
 * organization's role (DATABASE, SCHEMA) and the application role (SHARED) get INSERT and
 * SELECT on them, never UPDATE, DELETE or TRUNCATE. Administrative connections (export,
 * import, deletion, `tenantgraph audit prune`) are not limited.
 */
export const APPEND_ONLY_TABLES: ReadonlySet<string> = new Set(["audit_events"]);

/** What requests may do to an organization table. */
export function requestPrivileges(table: string): string {
  return APPEND_ONLY_TABLES.has(table) ? "SELECT, INSERT" : "SELECT, INSERT, UPDATE, DELETE";
}

/** Runs `work` in one transaction on the organization's data, scoped to it. */
export async function withOrgData<T>(
  org: Pick<Organization, "id" | "tier" | "server" | "databaseName" | "schemaName">,
  servers: Record<string, string>,
  work: (client: pg.ClientBase, tables: string[]) => Promise<T>,
): Promise<T> {
  const datasource = resolvePlacement(org, servers);
  return withPgClient(datasource.url, (client) =>
    inTransaction(client, async () => {
      if (datasource.schema) await client.query(`SET LOCAL search_path TO ${quoteIdentifier(datasource.schema)}`);
      await client.query("SELECT set_config('app.org_id', $1, true)", [org.id]);
      return work(client, await orgTables(client));
    }),
  );
}

/**
 * Removes the organization's data where `org` places it: its database, its schema, or its
 * rows of a shared database (children first, in one transaction that runs `beforeRows` first).
 */
export async function removeOrgData(
  org: Pick<Organization, "id" | "tier" | "server" | "databaseName" | "schemaName">,
  servers: Record<string, string>,
  beforeRows?: (client: pg.ClientBase) => Promise<void>,
): Promise<void> {
  switch (org.tier) {
    case "DATABASE":
      await dropDatabase(serverUrlOf(servers, org.server), org.databaseName);
      break;
    case "SCHEMA": {
      const datasource = resolvePlacement(org, servers);
      await withPgClient(datasource.url, (c) =>
        c.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(datasource.schema!)} CASCADE`),
      );
      break;
    }
    case "SHARED":
      await withOrgData(org, servers, async (client, tables) => {
        await beforeRows?.(client);
        for (const table of [...tables].reverse()) {
          await client.query(`DELETE FROM ${quoteIdentifier(table)} WHERE org_id = $1`, [org.id]);
        }
      });
      break;
  }
}

/** Tables with an org_id column, parents before children (foreign keys). */
export async function orgTables(client: pg.ClientBase): Promise<string[]> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)`,
  );
  const edges = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname <> p.relname`,
  );
  const names = tables.rows.map((r) => r.name).sort();
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name) || path.includes(name)) return;
    for (const e of edges.rows) if (e.child === name && names.includes(e.parent)) visit(e.parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}
