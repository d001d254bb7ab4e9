// Where an organization's rows live, and the datasource a client for them connects to.
// The datasource key is what OrgClientCache caches by: two organizations never share a key
// unless they share a datasource (later: the SCHEMA/SHARED tiers).
import type { Organization } from "../data/central-client.ts";
import { assertSafeIdentifier } from "../data/sql-identifiers.ts";

export type Placement = Pick<Organization, "tier" | "server" | "databaseName" | "schemaName">;

export interface Datasource {
  /** Cache key: server name, database and schema; never contains credentials. */
  key: string;
  server: string;
  url: string;
  database: string;
  schema?: string;
}

export class UnknownServerError extends Error {
  override name = "UnknownServerError";
}

/** The server's URL with another database name. */
export function databaseUrlOn(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${assertSafeIdentifier(database)}`;
  return url.toString();
}

export function resolvePlacement(placement: Placement, servers: Record<string, string>): Datasource {
  const serverUrl = servers[placement.server];
  if (!serverUrl) throw new UnknownServerError(`server "${placement.server}" is not configured (SERVERS)`);
  switch (placement.tier) {
    case "DATABASE":
      return {
        key: `${placement.server}/${placement.databaseName}`,
        server: placement.server,
        url: databaseUrlOn(serverUrl, placement.databaseName),
        database: placement.databaseName,
      };
    default:
      throw new UnknownServerError(`tier ${placement.tier} is not served yet`);
  }
}
