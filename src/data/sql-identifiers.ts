// The one place where names that come from data (organization database and schema names)
// become SQL. Validation is strict on purpose: a name that needs quoting to be safe is
// refused rather than quoted, so a hostile slug can never reach DDL.

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const MAX_LENGTH = 63; // PostgreSQL truncates longer names silently (NAMEDATALEN - 1)

/** Names PostgreSQL itself uses; data may never name them. (Organization names also get an org_ prefix.) */
const RESERVED = new Set([
  "postgres",
  "template0",
  "template1",
  "public",
  "information_schema",
  "pg_catalog",
  "pg_toast",
  "user",
  "current_user",
  "session_user",
  "default",
  "all",
]);

export class InvalidIdentifierError extends Error {
  constructor(
    readonly identifier: string,
    reason: string,
  ) {
    super(`invalid SQL identifier ${JSON.stringify(identifier)}: ${reason}`);
    this.name = "InvalidIdentifierError";
  }
}

/** Throws unless `name` is a plain lower-case identifier that is safe to use as a database or schema name. */
export function assertSafeIdentifier(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new InvalidIdentifierError(String(name), "empty");
  if (name.length > MAX_LENGTH) throw new InvalidIdentifierError(name, `longer than ${MAX_LENGTH} characters`);
  if (!IDENTIFIER.test(name)) {
    throw new InvalidIdentifierError(name, "only a-z, 0-9 and _ are allowed, starting with a letter or _");
  }
  if (RESERVED.has(name) || name.startsWith("pg_")) throw new InvalidIdentifierError(name, "reserved name");
  return name;
}

/** Validates, then double-quotes: `"org_acme"`. The only way data-derived names enter SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${assertSafeIdentifier(name)}"`;
}
