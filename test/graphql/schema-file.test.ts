// schema.graphql is what frontends and codegen read: it must be the schema the server
// serves, and the operations in operations/ must stay valid against it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, printSchema, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("schema.graphql", () => {
  it("is up to date (run npm run schema:print)", () => {
    expect(readFileSync(path.join(ROOT, "schema.graphql"), "utf8")).toBe(`${printSchema(schema)}\n`);
  });

  it("validates every operation in operations/", () => {
    const files = readdirSync(path.join(ROOT, "operations")).filter((f) => f.endsWith(".graphql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const errors = validate(schema, parse(readFileSync(path.join(ROOT, "operations", file), "utf8")));
      expect(errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    }
  });
});
