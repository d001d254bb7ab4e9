// The isolation rule in code form: resolvers reach data only through ctx.db. No file under
// src/graphql may import a Prisma client, a driver or a client module, or construct a
// client; only the tenancy layer (src/tenancy, src/data) may import the tenant client.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : filesUnder(full);
    return /\.(ts|js|mts)$/.test(e.name) ? [full] : [];
  });
}

/** Value imports (type-only imports are erased and cannot reach a client). */
function valueImports(source: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g;
  for (const m of source.matchAll(statement)) {
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(m[3]!.trim());
    if (!typeOnly) found.push(m[4]!);
  }
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) found.push(m[1]!);
  for (const m of source.matchAll(/\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

const CLIENT_MODULES = /(^@prisma\/client|^@prisma\/adapter-pg$|^pg$|^postgres$|central-client|tenant-client|generated\/(central|tenant)\/)/;

function violations(source: string): string[] {
  const bad = valueImports(source).filter((specifier) => CLIENT_MODULES.test(specifier));
  if (/new\s+PrismaClient\b|new\s+PrismaPg\b|\bPrismaClient\s*\(/.test(source)) bad.push("constructs a client");
  return bad;
}

describe("resolvers use ctx.db only", () => {
  it("the checker catches client imports and constructors (self-test)", () => {
    expect(violations(`import { PrismaClient } from "../data/generated/tenant/client.ts";`)).toHaveLength(1);
    expect(violations(`import { createCentralClient } from "../data/central-client.ts";`)).toHaveLength(1);
    expect(violations(`import { createTenantClient as x } from '../../data/tenant-client.ts'`)).toHaveLength(1);
    expect(violations(`const m = await import("../data/tenant-client.ts");`)).toHaveLength(1);
    expect(violations(`import pg from "pg";`)).toHaveLength(1);
    expect(violations(`const db = new PrismaClient({ adapter });`)).toEqual(["constructs a client"]);
    expect(violations(`import type { CentralDb } from "../data/central-client.ts";`)).toEqual([]);
    expect(violations(`import { type TenantDb } from "../data/tenant-client.ts";`)).toEqual([]);
  });

  it("no file under src/graphql imports or constructs a database client", () => {
    const files = filesUnder(path.join(SRC, "graphql"));
    expect(files.length).toBeGreaterThan(4);
    const found = files.flatMap((f) => violations(readFileSync(f, "utf8")).map((v) => `${path.relative(SRC, f)}: ${v}`));
    expect(found).toEqual([]);
  });

  it("only the tenancy layer imports the tenant client", () => {
    const allowed = (f: string) => f.startsWith(path.join(SRC, "tenancy")) || f.startsWith(path.join(SRC, "data"));
    const found = filesUnder(SRC)
      .filter((f) => !allowed(f))
      .flatMap((f) =>
        valueImports(readFileSync(f, "utf8"))
          .filter((s) => /tenant-client|generated\/tenant\//.test(s))
          .map((s) => `${path.relative(SRC, f)} imports ${s}`),
      );
    expect(found).toEqual([]);
  });
});
