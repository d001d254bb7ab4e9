// Database roles tenantgraph creates, and their passwords. Two rules:
// - a password never appears in SQL text: PostgreSQL logs statement text (log_statement,
//   and any failing statement), so roles get a SCRAM-SHA-256 verifier computed here;
// - a role is created once: pg_roles is checked first, and a concurrent creation (42710,
//   23505) counts as "exists". An existing role keeps its password; rotation sets it.
// Passwords are derived from a secret (HMAC of the role name), so every process computes
// the same ones and a restart needs nothing stored.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type pg from "pg";
import { quoteIdentifier } from "./sql-identifiers.ts";

const SCRAM_ITERATIONS = 4096;

/** PostgreSQL's stored form of a password (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), RFC 5802/7677. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  // Our passwords are ASCII (base64url), for which SASLprep is the identity.
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The password of a role, derived from the deployment's secret; the same in every process. */
export function derivedRolePassword(secret: string, role: string): string {
  return createHmac("sha256", secret).update(`tenantgraph role password:${role}`).digest("base64url");
}

export interface RoleSpec {
  name: string;
  /** A login role (connects) or a group role (switched to). */
  login: boolean;
  /** Set when the role is created (never for an existing role: see setRolePassword). */
  password?: string;
  /**
   * Stored as the role's comment. When given, an existing role with another comment was
   * not made for this purpose (another installation's, an operator's) and is refused.
   */
  marker?: string;
}

export class ForeignRoleError extends Error {
  override name = "ForeignRoleError";
}

/**
 * Creates the role unless it exists, and makes sure it has no privilege of its own: no
 * superuser, no CREATEDB / CREATEROLE / REPLICATION / BYPASSRLS, NOINHERIT (rights it is
 * granted through memberships are used only after an explicit SET ROLE). Call it outside a
 * transaction: the race with another process is handled by catching its error.
 */
export async function ensureRole(client: pg.ClientBase, spec: RoleSpec): Promise<"created" | "exists"> {
  const name = quoteIdentifier(spec.name);
  const attributes = `${spec.login ? "LOGIN" : "NOLOGIN"} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`;
  const state = async () =>
    (
      await client.query<{ comment: string | null; as_wanted: boolean }>(
        `SELECT shobj_description(oid, 'pg_authid') AS comment,
                (rolcanlogin = $2 AND NOT rolsuper AND NOT rolcreatedb AND NOT rolcreaterole AND NOT rolreplication AND NOT rolbypassrls AND NOT rolinherit) AS as_wanted
           FROM pg_roles WHERE rolname = $1`,
        [spec.name, spec.login],
      )
    ).rows[0];
  let existing = await state();
  if (!existing) {
    const password =
      spec.login && spec.password ? ` PASSWORD ${client.escapeLiteral(scramVerifier(spec.password))}` : "";
    // Role and marker appear together (one transaction), so no one sees an unmarked role of ours.
    try {
      await client.query("BEGIN");
      await client.query(`CREATE ROLE ${name} ${attributes}${password}`);
      if (spec.marker) await client.query(`COMMENT ON ROLE ${name} IS ${client.escapeLiteral(spec.marker)}`);
      await client.query("COMMIT");
      return "created";
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      // 42710: created meanwhile; 23505: two CREATE ROLEs raced on the catalog (the other committed).
      const code = (error as { code?: string }).code;
      if (code !== "42710" && code !== "23505") throw error;
      existing = await state();
      if (!existing) throw error;
    }
  }
  if (spec.marker && existing.comment !== spec.marker) {
    throw new ForeignRoleError(
      `role ${spec.name} exists but was not created for this (${existing.comment ?? "no comment"}); refusing to adopt it`,
    );
  }
  // Altered only when needed: concurrent ALTERs of one role fail ("tuple concurrently updated").
  if (!existing.as_wanted) await client.query(`ALTER ROLE ${name} ${attributes}`);
  return "exists";
}

/** Sets a login role's password (as a SCRAM verifier: the statement log never sees the password). */
export async function setRolePassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  await client.query(`ALTER ROLE ${quoteIdentifier(role)} PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
}
