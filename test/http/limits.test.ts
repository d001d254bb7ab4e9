// Limits before work (src/http/operation-limits.ts, README "Production checklist"): each
// refusal is coded, comes before the request is read whole or the document is parsed,
// validated or executed past its limit, and runs no SQL at all (not even the membership
// check in the central database), for anonymous and signed-in callers alike.
import { once } from "node:events";
import http from "node:http";
import { connect, Socket, type AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse, print } from "graphql";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { loadConfig } from "../../src/config.ts";
import { operationCost, operationCostOf, useOperationLimits } from "../../src/http/operation-limits.ts";
import { parseCacheOption, BYTES_PER_SOURCE_CHARACTER } from "../../src/http/parse-cache.ts";
import { useBodyLimit } from "../../src/http/use-body-limit.ts";
import { schema } from "../../src/graphql/schema.ts";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let token: string;
let org: Organization;
const statements = { org: 0, central: 0 };

beforeAll(async () => {
  app = await startTestApp({ onOrgQuery: () => statements.org++, onCentralQuery: () => statements.central++ });
  org = await app.provisionOrg("limits");
  const user = await app.createUser([[org, "OWNER"]]);
  token = await app.token(user.id, org.id);
});
afterAll(() => app?.close());
beforeEach(() => {
  statements.org = 0;
  statements.central = 0;
});

/** A body of `total` bytes, produced chunk by chunk only as the server reads it. */
function lazyBody(total: number, chunk = 64 * 1024) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      const size = Math.min(chunk, total - state.pulled);
      state.pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x20)); // spaces
    },
  });
  return { stream, state };
}

async function post(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return await app.yoga.fetch("http://test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

const MB = 1_000_000;

describe("request body size (MAX_BODY_BYTES, default 1 MB)", () => {
  it("refuses a body whose Content-Length is over the limit with 413 without reading it", async () => {
    const { stream, state } = lazyBody(20 * MB);
    const response = await post(stream, { "content-length": String(20 * MB) });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe("REQUEST_ENTITY_TOO_LARGE");
    expect(state.pulled).toBeLessThanOrEqual(64 * 1024); // at most what a stream buffers ahead
    expect(statements).toEqual({ org: 0, central: 0 });
  });

  it("refuses a chunked body (no Content-Length) with 413 once the limit is passed, not after reading it whole", async () => {
    const { stream, state } = lazyBody(20 * MB);
    const response = await post(stream, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe("REQUEST_ENTITY_TOO_LARGE");
    expect(state.pulled).toBeLessThan(2 * MB);
    expect(statements).toEqual({ org: 0, central: 0 });
  });

  it("counts a body whose Content-Length understates it unless Node's HTTP parser read it (in-process: counted)", async () => {
    const { stream, state } = lazyBody(20 * MB);
    const response = await post(stream, { "content-length": "100" });
    expect(response.status).toBe(413);
    expect(state.pulled).toBeLessThan(2 * MB);
  });

  it("does not count again a body Node's HTTP parser bounded by its Content-Length; counts any other", () => {
    const plugin = useBodyLimit(1000);
    const counted = (serverContext: object, headers: Record<string, string>) => {
      let replaced = false;
      plugin.onRequestParse!({
        request: new Request("http://test/graphql", { method: "POST", headers, body: "{}" }),
        requestParser: () => ({}),
        setRequestParser: () => (replaced = true),
        serverContext,
      } as never);
      return replaced;
    };
    const viaNode = new http.IncomingMessage(new Socket());
    viaNode.headers = { "content-length": "2" };
    expect(counted({ req: viaNode }, { "content-length": "2" })).toBe(false);
    expect(counted({}, { "content-length": "2" })).toBe(true); // in-process: the header may lie
    expect(counted({ req: { headers: { "content-length": "2" } } }, { "content-length": "2" })).toBe(true); // not Node's
    expect(counted({ req: viaNode }, {})).toBe(true); // no Content-Length (chunked)
  });

  it("over HTTP, a body is exactly its Content-Length: bytes sent past it are the next request, with its own limit", async () => {
    const server = http.createServer(app.yoga);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const json = JSON.stringify({ query: "{ __typename }" });
      const head = (length: number) =>
        `POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      const answer: string[] = [];
      socket.on("data", (chunk: Buffer) => answer.push(chunk.toString("latin1")));
      // What follows the declared length (2 MB more; the limit is 1 MB) is never read as this body.
      socket.end(head(json.length) + json + head(2 * MB) + " ".repeat(2 * MB));
      await once(socket, "close");
      const [first, second] = answer.join("").split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(first).toContain('{"data":{"__typename":"Query"}}');
      expect(second).toMatch(/^HTTP\/1\.1 413 /);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("accepts a body under the limit", async () => {
    const padded = JSON.stringify({ query: `{ __typename }${" ".repeat(MB / 2)}` });
    const response = await post(padded);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });
});

// Documents over each limit, with the defaults (README): tokens 2000, depth 12, aliases 15, directives 20, cost 20000.
// Depth 2 + 4 per level (project, itemsConnection, edges, node; then id), cheap: first: 1.
const nested = (levels: number) =>
  `{ project(id: "00000000-0000-0000-0000-000000000000") { ${"itemsConnection(first: 1) { edges { node { project { ".repeat(levels)} id ${"} } } } ".repeat(levels)} } }`;
const overLimit: Array<{
  kind: string;
  limit: number;
  measured: number;
  query: string;
  variables?: Record<string, unknown>;
}> = [
  { kind: "tokens", limit: 2000, measured: 2001, query: `{ ${"__typename ".repeat(3000)} }` },
  { kind: "depth", limit: 12, measured: 14, query: nested(3) },
  {
    kind: "aliases",
    limit: 15,
    measured: 16,
    query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: projectsConnection(first: 1) { totalCount }`).join(" ")} }`,
  },
  {
    kind: "directives",
    limit: 20,
    measured: 21,
    query: `{ me { ${Array.from({ length: 21 }, () => "email @include(if: true)").join(" ")} } }`,
  },
  {
    kind: "cost",
    limit: 20_000,
    measured: 1 + 100 * (1 + (1 + (1 + 100 * (1 + (1 + 2))))),
    query: `query Page($n: Int) { projectsConnection(first: $n) { edges { node { itemsConnection(first: 100) { edges { node { id title } } } } } } }`,
    variables: { n: 100 },
  },
];

describe("document limits: QUERY_TOO_COMPLEX, HTTP 400, no SQL", () => {
  for (const { kind, limit, measured, query, variables } of overLimit) {
    for (const caller of ["signed in", "anonymous"] as const) {
      it(`${kind} (${caller})`, async () => {
        const response = await app.graphql(query, { variables, token: caller === "signed in" ? token : undefined });
        expect(response.status).toBe(400);
        const error = errorOf(response);
        expect(error.code).toBe("QUERY_TOO_COMPLEX");
        expect(error.extensions).toMatchObject({ kind, limit, measured });
        expect(response.data).toBeUndefined();
        expect(statements).toEqual({ org: 0, central: 0 });
      });
    }
  }

  it("the same operations under the limits run (and the statement counter sees their SQL)", async () => {
    const ok = (r: GraphQLResponse) => expect(r.status, JSON.stringify(r.errors)).toBe(200);
    // 700 fields: graphql-js itself aborts validation past ~1,000 identical fields (its overlap budget).
    ok(await app.graphql(`{ ${"__typename ".repeat(700)} }`));
    ok(await app.graphql(nested(2), { token }));
    ok(
      await app.graphql(
        `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: projectsConnection(first: 1) { totalCount }`).join(" ")} }`,
        { token },
      ),
    );
    ok(await app.graphql(overLimit[4]!.query, { token, variables: { n: 5 } })); // cost depends on the variables
    expect(statements.org).toBeGreaterThan(0);
    expect(statements.central).toBeGreaterThan(0);
  });
});

describe("operationCost (the measure a cost rate limit reuses)", () => {
  const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
    operationCost({ schema, document: parse(query), variables, operationName });

  it("counts a connection by its first/last, once (edges and node do not multiply again)", () => {
    expect(cost(`{ projectsConnection(first: 10) { edges { node { id } } } }`)).toBe(1 + 10 * (1 + (1 + 1)));
    expect(cost(`{ projectsConnection { edges { node { id } } } }`)).toBe(1 + 20 * 3); // default page 20
    expect(cost(`{ projectsConnection(first: 100000) { edges { node { id } } } }`)).toBe(1 + 100 * 3); // capped like the resolver
  });

  it("multiplies nested lists and reads first/last from variables and the named operation", () => {
    const inner = 1 + 5 * 3;
    expect(
      cost(
        `{ projectsConnection(first: 10) { edges { node { itemsConnection(last: 5) { edges { node { id } } } } } } }`,
      ),
    ).toBe(1 + 10 * (1 + (1 + inner)));
    const two = `query A($n: Int) { projectsConnection(first: $n) { edges { node { id } } } } query B { me { email } }`;
    expect(cost(two, { n: 7 }, "A")).toBe(1 + 7 * 3);
    expect(cost(two, {}, "B")).toBe(2);
  });
  it("is remembered per parsed document, operation and variables; refused variables are refused every time", () => {
    let calls = 0;
    const counted = createSchema({
      typeDefs: "type Query { page(n: Int): [Query!]! id: ID }",
      resolvers: {},
    });
    counted.getQueryType()!.getFields().page!.extensions = {
      complexity: (args: { n?: number }) => (calls++, { field: 1, multiplier: args.n ?? 1 }),
    };
    const document = parse(`query A($n: Int) { page(n: $n) { id } } query B { page(n: 2) { id } }`);
    const costOf = (variables: Record<string, unknown>, operationName: string) =>
      operationCost({ schema: counted, document, variables, operationName });
    expect([costOf({ n: 7 }, "A"), costOf({ n: 3 }, "A"), costOf({}, "B")]).toEqual([8, 4, 3]);
    expect(calls).toBe(3);
    expect([costOf({ n: 7 }, "A"), costOf({ n: 3 }, "A"), costOf({}, "B")]).toEqual([8, 4, 3]);
    expect(calls).toBe(3); // nothing computed again
    expect(
      operationCost({ schema: counted, document: parse(print(document)), variables: { n: 7 }, operationName: "A" }),
    ).toBe(8);
    expect(calls).toBe(4); // another parse of the same text (not the one Yoga cached) is costed anew
    for (let i = 0; i < 2; i++) expect(() => costOf({ n: "many" }, "A")).toThrow(/Int cannot represent/);
  });

  it("is on the context of an accepted request, for later limits (operationCostOf)", async () => {
    const seen: Array<number | undefined> = [];
    const capture: Plugin = {
      onExecute({ args, setResultAndStopExecution }) {
        seen.push(operationCostOf(args.contextValue as object));
        setResultAndStopExecution({ data: null });
      },
    };
    const yoga = createYoga({ schema, plugins: [...useOperationLimits(loadConfig({}).limits), capture] });
    await yoga.fetch("http://test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `query P($n: Int) { projectsConnection(first: $n) { edges { node { id } } } }`,
        variables: { n: 10 },
      }),
    });
    expect(seen).toEqual([31]);
  });
});

describe("parse cache bounds", () => {
  it("keeps at most the configured entries and never caches a document estimated over a tenth of the byte budget", () => {
    const option = parseCacheOption({ entries: 3, bytes: 1000 * BYTES_PER_SOURCE_CHARACTER }) as {
      documentCache: { get(k: string): unknown; set(k: string, v: unknown): void };
    };
    const doc = parse("{ __typename }");
    for (let i = 0; i < 5; i++) option.documentCache.set(`{ __typename } # ${i}`, doc);
    expect([0, 1, 2, 3, 4].filter((i) => option.documentCache.get(`{ __typename } # ${i}`) !== undefined)).toEqual([
      2, 3, 4,
    ]);
    const big = `{ __typename } # ${"x".repeat(200)}`;
    option.documentCache.set(big, doc);
    expect(option.documentCache.get(big)).toBeUndefined();
  });

  it("is off when PARSE_CACHE_SIZE is 0", () => {
    expect(parseCacheOption({ entries: 0, bytes: 1000 })).toBe(false);
  });
});

describe("schema exposure", () => {
  it("gives no field suggestions", async () => {
    const response = await app.graphql(`{ projectz { id } }`, { token });
    expect(response.errors![0]!.message).toContain("Cannot query field");
    expect(JSON.stringify(response.errors)).not.toMatch(/did you mean/i);
    expect(statements).toEqual({ org: 0, central: 0 });
    // Nor for values checked at execution (an enum variable with a typo).
    const typo = await app.graphql(
      `query Q($kind: [ItemKind!]) { itemsConnection(filter: { kind: $kind }) { totalCount } }`,
      { token, variables: { kind: ["RISKK"] } },
    );
    expect(typo.errors![0]!.message).toContain("RISKK");
    expect(JSON.stringify(typo.errors)).not.toMatch(/did you mean|"RISK"/i);
  });

  it("answers introspection by default (GraphiQL)", async () => {
    const response = await app.graphql(`{ __schema { queryType { name } } }`);
    expect(dataOf(response).__schema.queryType.name).toBe("Query");
  });

  it("refuses introspection with INTROSPECTION=false (and still answers __typename)", async () => {
    const closed = await startTestApp({ env: { INTROSPECTION: "false" } });
    try {
      const response = await closed.graphql(`{ __schema { queryType { name } } }`);
      expect(response.data).toBeUndefined();
      expect(response.errors![0]!.message).toMatch(/introspection/i);
      expect(dataOf(await closed.graphql(`{ __typename }`)).__typename).toBe("Query");
      const graphiql = await closed.yoga.fetch("http://test/graphql", { headers: { accept: "text/html" } });
      expect(await graphiql.text()).not.toContain("<html");
    } finally {
      await closed.close();
    }
  });
});

describe("CSRF and CORS", () => {
  const get = (headers: Record<string, string> = {}) =>
    app.yoga.fetch(`http://test/graphql?query=${encodeURIComponent("{ __typename }")}`, { headers });

  it("refuses a GET without the CSRF header and a POST with a form content type (no preflight) with 403", async () => {
    const refused = await get();
    expect(refused.status).toBe(403);
    expect((await refused.json()).errors[0].extensions.code).toBe("FORBIDDEN");
    const form = await app.yoga.fetch("http://test/graphql", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `query=${encodeURIComponent("{ __typename }")}`,
    });
    expect(form.status).toBe(403);
    const text = await app.yoga.fetch("http://test/graphql", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(text.status).toBe(403);
  });

  it("accepts a GET with x-graphql-yoga-csrf, a JSON POST, and still serves GraphiQL", async () => {
    const ok = await get({ "x-graphql-yoga-csrf": "1" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { __typename: "Query" } });
    expect((await app.graphql(`{ __typename }`)).status).toBe(200);
    const graphiql = await app.yoga.fetch("http://test/graphql", { headers: { accept: "text/html" } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain("<html");
  });

  it("sends no CORS headers by default, and allows exactly the CORS_ORIGINS", async () => {
    const preflight = (target: TestApp, origin: string) =>
      target.yoga.fetch("http://test/graphql", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization",
        },
      });
    expect((await preflight(app, "https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    const open = await startTestApp({ env: { CORS_ORIGINS: "https://app.example, https://admin.example" } });
    try {
      expect((await preflight(open, "https://app.example")).headers.get("access-control-allow-origin")).toBe(
        "https://app.example",
      );
      expect((await preflight(open, "https://evil.example")).headers.get("access-control-allow-origin")).not.toBe(
        "https://evil.example",
      );
    } finally {
      await open.close();
    }
  });
});
