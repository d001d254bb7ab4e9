// The lint rules that keep the layers apart (eslint.config.js), checked on code that breaks
// them: CI runs `npm run lint` over the tree, this proves the rules would catch a violation.
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
let eslint: ESLint;

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe("layer rules", () => {
  it("refuses an import that runs up the layers", async () => {
    const found = await problems(
      "src/data/probe.ts",
      `import { orgScope } from "../graphql/access.ts";\nexport const x = orgScope;\n`,
    );
    expect(found.join("\n")).toMatch(/import-x\/no-restricted-paths/);
  });

  it("refuses a database client outside src/tenancy and src/data, but allows its types", async () => {
    const code = `import { PrismaClient } from "../data/generated/tenant/client.ts";\nimport pg from "pg";\nexport const y = [PrismaClient, pg];\n`;
    for (const file of ["src/graphql/probe.ts", "src/braid/probe.ts", "src/http/probe.ts"]) {
      expect(
        (await problems(file, code)).filter((p) => p.startsWith("@typescript-eslint/no-restricted-imports")),
      ).toHaveLength(2);
    }
    const types = `import type { TenantDb } from "../data/tenant-client.ts";\nexport type Db = TenantDb;\n`;
    expect(await problems("src/braid/probe.ts", types)).toEqual([]);
    expect(await problems("src/tenancy/probe.ts", code)).toEqual([]);
  });

  it("allows imports down the layers", async () => {
    expect(
      await problems(
        "src/graphql/probe.ts",
        `import { pageProjects } from "../braid/projects.ts";\nexport const p = pageProjects;\n`,
      ),
    ).toEqual([]);
  });
});
