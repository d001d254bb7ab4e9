// HTTP status codes per the GraphQL-over-HTTP specification, for both response media types
// (see README "HTTP status codes"): application/json answers 200 to every well-formed
// request; application/graphql-response+json (also the default with no Accept header)
// answers 4xx when there is no data and 200 when there is data, partial data included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const JSON_TYPE = "application/json";
const GRAPHQL_RESPONSE = "application/graphql-response+json";

let app: TestApp;
let viewerToken: string;
let projectId: string;

beforeAll(async () => {
  app = await startTestApp();
  const org = await app.provisionOrg("status");
  const owner = await app.createUser([[org, "OWNER"]]);
  const viewer = await app.createUser([[org, "VIEWER"]]);
  const created = await app.graphql(`mutation { createProject(input: { name: "Status board" }) { id } }`, {
    token: await app.token(owner.id, org.id),
  });
  projectId = created.data.createProject.id;
  viewerToken = await app.token(viewer.id, org.id);
});
afterAll(() => app?.close());

async function send(body: string, { accept, token }: { accept?: string; token?: string | null } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (accept) headers.accept = accept;
  if (token !== null) headers.authorization = `Bearer ${token ?? viewerToken}`;
  const response = await app.yoga.fetch("http://test/graphql", { method: "POST", headers, body });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type")?.split(";")[0],
    body: JSON.parse(text) as { data?: any; errors?: any[] },
  };
}
const query = (q: string) => JSON.stringify({ query: q });

// One row per case: the status for application/json, then for application/graphql-response+json.
const CASES = {
  "parse error": {
    body: () => query("{ me { email "),
    token: undefined,
    code: "GRAPHQL_PARSE_FAILED",
    json: 200,
    graphqlResponse: 400,
    data: "absent",
  },
  "validation error": {
    body: () => query("{ me { nope } }"),
    token: undefined,
    code: "GRAPHQL_VALIDATION_FAILED",
    json: 200,
    graphqlResponse: 400,
    data: "absent",
  },
  "UNAUTHENTICATED (no token)": {
    body: () => query("{ me { email } }"),
    token: null,
    code: "UNAUTHENTICATED",
    json: 200,
    graphqlResponse: 401,
    data: "absent",
  },
  "UNAUTHENTICATED (bad token)": {
    body: () => query("{ me { email } }"),
    token: "not-a-token",
    code: "UNAUTHENTICATED",
    json: 200,
    graphqlResponse: 401,
    data: "absent",
  },
  "field error with partial data": {
    // A VIEWER may read the project but not its deleted items: project becomes null, me stays.
    body: () =>
      JSON.stringify({
        query: `query($id: ID!) { me { email } project(id: $id) { name itemsConnection(first: 5, includeDeleted: true) { edges { node { id } } } } }`,
        variables: { id: projectId },
      }),
    token: undefined,
    code: "FORBIDDEN",
    json: 200,
    graphqlResponse: 200,
    data: "partial",
  },
  "field error with null data": {
    body: () => query(`mutation { createProject(input: { name: "not mine to make" }) { id } }`),
    token: undefined,
    code: "FORBIDDEN",
    json: 200,
    graphqlResponse: 403,
    data: "null",
  },
} as const;

describe("HTTP status codes", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.json} for ${JSON_TYPE}, ${c.graphqlResponse} for ${GRAPHQL_RESPONSE}`, async () => {
      const body = c.body();
      for (const [accept, status] of [
        [JSON_TYPE, c.json],
        [GRAPHQL_RESPONSE, c.graphqlResponse],
      ] as const) {
        const r = await send(body, { accept, token: c.token });
        expect({ accept, status: r.status, type: r.type }).toEqual({ accept, status, type: accept });
        expect(r.body.errors?.[0]?.extensions?.code).toBe(c.code);
        if (c.data === "absent") expect(r.body).not.toHaveProperty("data");
        if (c.data === "null") expect(r.body.data).toBeNull();
        if (c.data === "partial") expect(r.body.data).toEqual({ me: { email: expect.any(String) }, project: null });
      }
    });
  }

  it("a request that is not a GraphQL-over-HTTP request is 400 for both media types", async () => {
    for (const accept of [JSON_TYPE, GRAPHQL_RESPONSE]) {
      expect((await send("{not json", { accept })).status).toBe(400);
      expect((await send(JSON.stringify({ qeury: "{ me { email } }" }), { accept })).status).toBe(400);
    }
  });

  it("answers application/graphql-response+json with no Accept header or a wildcard, and the first type the client lists", async () => {
    for (const accept of [undefined, "*/*", "application/*"]) {
      const r = await send(query("{ me { email } }"), { accept, token: null });
      expect({ accept, type: r.type, status: r.status }).toEqual({ accept, type: GRAPHQL_RESPONSE, status: 401 });
    }
    expect(
      (await send(query("{ me { email } }"), { accept: `${JSON_TYPE}, ${GRAPHQL_RESPONSE}`, token: null })).type,
    ).toBe(JSON_TYPE);
    expect(
      (await send(query("{ me { email } }"), { accept: `${GRAPHQL_RESPONSE}, ${JSON_TYPE}`, token: null })).type,
    ).toBe(GRAPHQL_RESPONSE);
  });

  it("answers 200 with the data when nothing failed, for both media types", async () => {
    for (const accept of [JSON_TYPE, GRAPHQL_RESPONSE]) {
      const r = await send(query("{ me { email } }"), { accept });
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
    }
  });
});
