// Pre-migrated template databases, one per server, host database prefix and set of tenant
// migrations: a DATABASE-tier organization's database is a copy of one (CREATE DATABASE
// ... TEMPLATE), so provisioning does not run every migration again. A template holds what
// the migrations make and their bookkeeping, nothing of any organization (its role, grants
// and rows are added to each copy), and nobody may connect to it (ALLOW_CONNECTIONS false,
// no CONNECT for PUBLIC; a copy gets neither). It is no organization: the central database
// never names it, so fleet migrations and deletes never see it.
//
// Crash safety: a template is built under a working name, then marked a template and
// renamed in one transaction: its name only ever names a complete one. Builders of a name
// take turns under an advisory lock, and a working copy left by a killed builder is dropped
// by the next one.
import { createHash } from "node:crypto";
import type pg from "pg";
import { latestVersion, type Migration } from "./migrator.ts";
import { databaseUrlOn } from "./placement.ts";
import { createDatabaseOn, inTransaction, retryWhileInUse, withPgClient } from "./server-admin.ts";
import { assertSafeIdentifier, quoteIdentifier } from "./sql-identifiers.ts";

export interface DatabaseTemplate {
  name: string;
  /** The newest migration in it (recorded as the template's comment: stale ones are older). */
  version: string;
  /** Fills the new, empty database at this administrative URL: the migrations, nothing else. */
  build: (url: string) => Promise<void>;
}

/** Advisory lock namespace (the key's first half) of template builds; the second half is the name's hash. */
const BUILD_LOCK = 72707370;
const COMMENT = "tenantgraph template of ";

/** `<prefix>_template_<hash of every migration's name and checksum>`: another set of migrations names another template. */
export function templateNameFor(prefix: string, migrations: Migration[]): string {
  const hash = createHash("sha256");
  for (const m of migrations) hash.update(`${m.name}\0${m.checksum}\n`);
  return assertSafeIdentifier(`${prefix}_template_${hash.digest("hex").slice(0, 12)}`);
}

/** The template of these migrations (none when there are no migrations: a plain database is as good). */
export function templateFor(
  prefix: string,
  migrations: Migration[],
  build: DatabaseTemplate["build"],
): DatabaseTemplate | undefined {
  const version = latestVersion(migrations);
  return version ? { name: templateNameFor(prefix, migrations), version, build } : undefined;
}

/**
 * Creates database `name` as a copy of the template, building the template first when the
 * server has none; returns whether it was created (false: it existed, nothing was done).
 */
export async function ensureDatabaseFrom(
  serverUrl: string,
  name: string,
  template: DatabaseTemplate,
): Promise<boolean> {
  return withPgClient(serverUrl, async (c) => {
    const found = await c.query<{ datname: string; datistemplate: boolean }>(
      "SELECT datname, datistemplate FROM pg_database WHERE datname = ANY($1::text[])",
      [[name, template.name]],
    );
    if (found.rows.some((r) => r.datname === name)) return false;
    if (!found.rows.some((r) => r.datname === template.name && r.datistemplate))
      await buildTemplate(c, serverUrl, template);
    return createDatabaseOn(c, name, template.name);
  });
}

async function buildTemplate(c: pg.ClientBase, serverUrl: string, template: DatabaseTemplate): Promise<void> {
  await c.query("SELECT pg_advisory_lock($1, hashtext($2))", [BUILD_LOCK, template.name]);
  try {
    const done = await c.query<{ datistemplate: boolean }>("SELECT datistemplate FROM pg_database WHERE datname = $1", [
      template.name,
    ]);
    if (done.rows[0]?.datistemplate) return; // another process built it while we waited
    if (done.rowCount) throw new Error(`database ${template.name} exists and is not a template: not used`);
    const working = assertSafeIdentifier(`${template.name}_part`);
    // Ours to drop: only a builder holding the lock makes it, and that builder is gone.
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(working)} WITH (FORCE)`);
    await createDatabaseOn(c, working);
    await template.build(databaseUrlOn(serverUrl, working));
    // The build's own connection may still be closing.
    await retryWhileInUse(() =>
      inTransaction(c, async () => {
        await c.query(`REVOKE ALL ON DATABASE ${quoteIdentifier(working)} FROM PUBLIC`);
        await c.query(`ALTER DATABASE ${quoteIdentifier(working)} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
        await c.query(`COMMENT ON DATABASE ${quoteIdentifier(working)} IS '${COMMENT}${versionText(template)}'`);
        await c.query(`ALTER DATABASE ${quoteIdentifier(working)} RENAME TO ${quoteIdentifier(template.name)}`);
      }),
    );
  } finally {
    await c.query("SELECT pg_advisory_unlock($1, hashtext($2))", [BUILD_LOCK, template.name]).catch(() => undefined);
  }
}

/** Migration names are timestamps and words: checked, since it becomes a literal. */
function versionText(template: DatabaseTemplate): string {
  if (!/^[A-Za-z0-9_]+$/.test(template.version)) throw new Error(`unexpected migration name ${template.version}`);
  return template.version;
}

/**
 * Drops the prefix's templates (and working copies) made for migrations older than
 * `olderThan` (all when absent). A newer one (a newer release's) is kept.
 */
export async function dropTemplates(serverUrl: string, prefix: string, olderThan?: string): Promise<string[]> {
  const start = `${assertSafeIdentifier(prefix)}_template_`;
  return withPgClient(serverUrl, async (c) => {
    const found = await c.query<{ datname: string; version: string | null }>(
      `SELECT d.datname, substr(shobj_description(d.oid, 'pg_database'), length($2) + 1) AS version
         FROM pg_database d WHERE left(d.datname, length($1)) = $1`,
      [start, COMMENT],
    );
    const stale = found.rows.filter((r) => olderThan === undefined || (r.version !== null && r.version < olderThan));
    for (const { datname } of stale) {
      await c.query(`ALTER DATABASE ${quoteIdentifier(datname)} WITH IS_TEMPLATE false`);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
    }
    return stale.map((r) => r.datname);
  });
}
