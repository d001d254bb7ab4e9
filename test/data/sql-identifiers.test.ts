// Hostile names never reach SQL: the one quoting function refuses anything that is not a
// plain identifier, and organization slugs map to database names only through it.
import { describe, expect, it } from "vitest";
import { assertSafeIdentifier, InvalidIdentifierError, quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { databaseNameFor, ProvisionInputError } from "../../src/lifecycle/provision.ts";

const HOSTILE = [
  "",
  'org"; DROP DATABASE tenantgraph; --',
  "org'; DROP TABLE users; --",
  "org; select 1",
  "org name",
  "Org_Upper",
  "org-dash",
  "org\u0000nul",
  "orgé",
  "org_\u202eevil",
  "ｏｒｇ",
  "1starts_with_digit",
  "a".repeat(64),
  "postgres",
  "template1",
  "pg_catalog",
  "pg_anything",
  "public",
  "information_schema",
  'org"',
  "org\\",
  "org\nnewline",
];

describe("quoteIdentifier", () => {
  it.each(HOSTILE)("refuses %j", (name) => {
    expect(() => quoteIdentifier(name)).toThrow(InvalidIdentifierError);
  });

  it("quotes plain identifiers", () => {
    expect(quoteIdentifier("org_acme")).toBe('"org_acme"');
    expect(quoteIdentifier("_x9")).toBe('"_x9"');
    expect(assertSafeIdentifier("a".repeat(63))).toHaveLength(63);
  });
});

describe("databaseNameFor (slug -> database name)", () => {
  it("maps - to _ under the org_ prefix", () => {
    expect(databaseNameFor("acme-rockets")).toBe("org_acme_rockets");
  });

  it.each([
    ...HOSTILE.filter((name) => name !== "org-dash"),
    "admin",
    "ab", // too short
    "a".repeat(41),
    "acme-",
    "-acme",
    "acme--rockets",
    "acme_rockets", // "_" would collide with "-": only one of them is allowed
    "ACME",
  ])("refuses the slug %j with an error naming the field", (slug) => {
    let error: unknown;
    try {
      databaseNameFor(slug);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProvisionInputError);
    expect((error as ProvisionInputError).field).toBe("slug");
  });
});
