// codegen.yml types the operations in operations/*.graphql (the ones the tests send) with
// the client preset, against the committed schema.graphql. This runs the same generation
// in memory and checks that every operation came out as a typed document.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generate, loadContext } from "@graphql-codegen/cli";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("codegen.yml", () => {
  it("generates a typed document and variables type for every operation", async () => {
    const operations = readdirSync(path.join(ROOT, "operations"))
      .filter((f) => f.endsWith(".graphql"))
      .flatMap((f) => parse(readFileSync(path.join(ROOT, "operations", f), "utf8")).definitions)
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((d) => ({ name: d.name!.value, kind: d.operation }));
    expect(operations.length).toBeGreaterThan(20);
    const cwd = process.cwd();
    process.chdir(ROOT); // codegen.yml's paths are relative to the project root
    let files;
    try {
      const context = await loadContext(path.join(ROOT, "codegen.yml"));
      context.updateConfig({ silent: true });
      files = await generate(context, false); // false: return the files, write nothing
    } finally {
      process.chdir(cwd);
    }
    // The output compiles under the repository's tsconfig (NodeNext): relative imports name their .js file.
    for (const file of files as Array<{ filename: string; content: string }>) {
      for (const [, target] of file.content.matchAll(/from ['"](\.[^'"]*)['"]/g))
        expect(target, file.filename).toMatch(/\.js$/);
    }
    const graphqlTs = files.find((f: { filename: string }) => f.filename.endsWith("graphql.ts"))!.content as string;
    for (const { name, kind } of operations) {
      const suffix = kind === "query" ? "Query" : "Mutation";
      expect(graphqlTs, name).toContain(`export const ${name}Document = `);
      expect(graphqlTs, name).toContain(`export type ${name}${suffix}Variables = `);
    }
  });
});
