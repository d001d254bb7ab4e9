// PERSISTED_OPERATIONS_ONLY=true: only the operations of operations/*.graphql run, named by
// the sha256 hash codegen's client preset writes to persisted-documents.json; query text and
// unknown hashes are refused before any work (no SQL). Off by default.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate, loadContext } from "@graphql-codegen/cli";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

async function persistedDocuments(): Promise<Record<string, string>> {
  const cwd = process.cwd();
  process.chdir(ROOT); // codegen.yml's paths are relative to the project root
  try {
    const context = await loadContext(path.join(ROOT, "codegen.yml"));
    context.updateConfig({ silent: true });
    const files = await generate(context, false);
    return JSON.parse(
      files.find((f: { filename: string }) => f.filename.endsWith("persisted-documents.json"))!.content,
    );
  } finally {
    process.chdir(cwd);
  }
}

let app: TestApp;
let documents: Record<string, string>;
let scratch: string;
const statements = { org: 0, central: 0 };

beforeAll(async () => {
  documents = await persistedDocuments();
  scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-persisted-"));
  const file = path.join(scratch, "persisted-documents.json");
  await writeFile(file, JSON.stringify(documents));
  app = await startTestApp({
    env: { PERSISTED_OPERATIONS_ONLY: "true", PERSISTED_OPERATIONS_FILE: file },
    onOrgQuery: () => statements.org++,
    onCentralQuery: () => statements.central++,
  });
});
afterAll(async () => {
  await app?.close();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  statements.org = 0;
  statements.central = 0;
});

async function send(body: object, token?: string) {
  const response = await app.yoga.fetch("http://test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...(await response.json()) };
}

const byHash = (hash: string, variables?: object) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describe("persisted operations only", () => {
  it("is off by default", () => {
    expect(loadConfig({}).http.persistedOperationsOnly).toBe(false);
  });

  it("codegen lists every operation of operations/*.graphql by sha256", () => {
    const texts = Object.values(documents);
    expect(Object.keys(documents).every((k) => /^(sha256:)?[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(texts.some((t) => t.includes("mutation CreateProject("))).toBe(true);
  });

  it("runs a known operation by its hash (bare hex or the preset's sha256: key)", async () => {
    const org = await app.provisionOrg("persisted");
    const user = await app.createUser([[org, "OWNER"]]);
    const token = await app.token(user.id, org.id);
    const [key] = Object.entries(documents).find(([, text]) => text.includes("query MyOrganizations ")) ?? [];
    expect(key, "operations/accounts.graphql has MyOrganizations").toBeDefined();
    const bare = key!.replace(/^sha256:/, "");
    expect(dataOf(await send(byHash(bare), token)).me.email).toBe(user.email);
    expect(dataOf(await send(byHash(`sha256:${bare}`), token)).me.email).toBe(user.email);
  });

  it("refuses an unknown hash and any query text, before any SQL", async () => {
    const org = await app.provisionOrg("persisted-refuse");
    const user = await app.createUser([[org, "OWNER"]]);
    const token = await app.token(user.id, org.id);
    statements.org = statements.central = 0;
    const unknown = await send(byHash("0".repeat(64)), token);
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    const text = await send({ query: "{ me { email } }" }, token);
    expect(text.status).toBe(400);
    expect(errorOf(text).code).toBe("CANNOT_SEND_PQ_ID_AND_BODY");
    const introspection = await send({ query: "{ __schema { queryType { name } } }" });
    expect(errorOf(introspection).code).toBe("CANNOT_SEND_PQ_ID_AND_BODY");
    const nothing = await send({}, token);
    expect(errorOf(nothing).code).toBe("PERSISTED_QUERY_ID_REQUIRED");
    expect(statements).toEqual({ org: 0, central: 0 });
  });
});
