// Where an organization's rows live, and the datasource a client for them connects to.
// The datasource key is what OrgClientCache caches by; it never contains credentials.
//
// | tier     | database on the server                  | scoped by                      |
// |----------|-----------------------------------------|--------------------------------|
// | DATABASE | org_<slug> (its own)                    | the database itself            |
// | SCHEMA   | <prefix>_schemas, schema org_<slug>     | schema-qualified table names   |
// | SHARED   | <prefix>_shared                         | row-level security on org_id   |
// (prefix: HOST_DATABASE_PREFIX, "tenantgraph" by default)
import { LRUCache } from "lru-cache";
import type { Organization, Tier } from "./central-client.ts";
import { assertSafeIdentifier } from "./sql-identifiers.ts";

export type Placement = Pick<Organization, "id" | "tier" | "server" | "databaseName" | "schemaName">;

/** The databases that host many organizations, one of each per server. */
export function hostDatabaseFor(tier: "SCHEMA" | "SHARED", prefix: string): string {
  return assertSafeIdentifier(`${prefix}_${tier === "SCHEMA" ? "schemas" : "shared"}`);
}

export interface Datasource {
  tier: Tier;
  /** Cache key: tier, server, database, schema or organization; never credentials. */
  key: string;
  server: string;
  /** Administrative URL of the database (the server's configured credentials). */
  url: string;
  database: string;
  schema?: string;
  orgId: string;
}

export class UnknownServerError extends Error {
  override name = "UnknownServerError";
}

/** The server's URL with another database name. */
export function databaseUrlOn(serverUrl: string, database: string): string {
  const key = `${serverUrl}\u0000${database}`;
  let text = urlsOn.get(key);
  if (text === undefined) {
    const url = new URL(serverUrl);
    url.pathname = `/${assertSafeIdentifier(database)}`;
    urlsOn.set(key, (text = url.toString()));
  }
  return text;
}

// Every routed request resolves its organization's placement, and parsing the server's URL
// was most of that (about 1.5 % of a warm request's CPU): the URLs are remembered, the most
// recently used 10,000 of them.
const urlsOn = new LRUCache<string, string>({ max: 10_000 });

export function serverUrlOf(servers: Record<string, string>, server: string): string {
  const url = servers[server];
  if (!url) throw new UnknownServerError(`server "${server}" is not configured (SERVERS)`);
  return url;
}

export function resolvePlacement(placement: Placement, servers: Record<string, string>): Datasource {
  const url = databaseUrlOn(serverUrlOf(servers, placement.server), placement.databaseName);
  const base = {
    tier: placement.tier,
    server: placement.server,
    url,
    database: placement.databaseName,
    orgId: placement.id,
  };
  switch (placement.tier) {
    case "DATABASE":
      return { ...base, key: `database:${placement.server}/${placement.databaseName}` };
    case "SCHEMA": {
      const schema = assertSafeIdentifier(placement.schemaName ?? "");
      return { ...base, schema, key: `schema:${placement.server}/${placement.databaseName}/${schema}` };
    }
    case "SHARED":
      return { ...base, key: `shared:${placement.server}/${placement.databaseName}/${placement.id}` };
  }
}
