// What a slug may be, and the database name it maps to. Its own module (only the SQL
// identifier rules below it) so the CLI checks slugs while parsing its arguments without
// loading provisioning and the database clients.
import { assertSafeIdentifier, InvalidIdentifierError } from "../data/sql-identifiers.ts";

export class ProvisionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ProvisionInputError";
  }
}

const SLUG = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/** Slugs that would read as something else in URLs, logs or database names. */
const RESERVED_SLUGS = new Set([
  "admin",
  "api",
  "www",
  "graphql",
  "health",
  "postgres",
  "template0",
  "template1",
  "public",
  "system",
  "root",
  "tenantgraph",
  "central",
  "shared",
  "schemas",
]);

/** Organization database and schema names follow one convention: org_<slug>, "-" mapped to "_". */
export function databaseNameFor(slug: string): string {
  if (typeof slug !== "string" || !SLUG.test(slug) || slug.includes("--")) {
    throw new ProvisionInputError(
      "slug",
      "3-40 characters: a-z, 0-9 and single '-', starting with a letter, not ending with '-'",
    );
  }
  if (RESERVED_SLUGS.has(slug)) throw new ProvisionInputError("slug", `"${slug}" is reserved`);
  try {
    return assertSafeIdentifier(`org_${slug.replace(/-/g, "_")}`);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) throw new ProvisionInputError("slug", error.message);
    throw error;
  }
}
