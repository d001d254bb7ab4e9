// Scratch databases on the test server: unique names, so test files can run in parallel.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { withPgClient } from "../../src/data/server-admin.ts";
import { inject } from "vitest";
import { quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { databaseUrlOn } from "../../src/data/placement.ts";

export function serverUrl(): string {
  return inject("postgresUrl");
}

/** The second server (organizations placed on server "second"). */
export function secondServerUrl(): string {
  return inject("secondPostgresUrl");
}

/** A superuser connection to the test server (or `url`), closed afterwards. */
export function withAdminClient<T>(work: (client: pg.Client) => Promise<T>, url = serverUrl()): Promise<T> {
  return withPgClient(url, work);
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix = "t"): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  return {
    name,
    url: databaseUrlOn(serverUrl(), name),
    drop: () =>
      withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
