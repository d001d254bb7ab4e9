// Operations compiled by graphql-jit answer exactly as graphql-js does: the first execution of a
// document is interpreted, the following ones run compiled, and data, errors (codes, masking,
// paths, locations) and statement counts are the same either way; a request refused before
// executing (invalid variables) is answered by graphql-js, and a mutation is never run twice.
import { createSchema, createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { useCompiledExecution } from "../../src/http/use-compiled-execution.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { memberOf } from "../helpers/fixtures.ts";

let app: TestApp;
let org: Organization;
let token: string;
const statements: string[] = [];
beforeAll(async () => {
  app = await startTestApp({ onOrgQuery: (sql) => statements.push(sql) });
  org = await app.provisionOrg("jit");
  token = (await memberOf(app, org, "OWNER")).token;
  for (const name of ["a", "b"]) {
    const project = await app.graphql(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
      token,
      variables: { n: name },
    });
    await app.graphql(`mutation($p: ID!) { createItem(input: { projectId: $p, title: "t" }) { id } }`, {
      token,
      variables: { p: project.data.createProject.id },
    });
  }
});
afterAll(() => app?.close());

/** The same request three times: interpreted, then compiled twice. */
async function thrice(query: string, variables?: Record<string, unknown>) {
  const answers = [];
  for (let i = 0; i < 3; i++) {
    statements.length = 0;
    const { status, data, errors } = await app.graphql(query, { token, variables });
    answers.push({ status, data, errors, statements: statements.length });
  }
  return answers;
}

describe("compiled execution (graphql-jit)", () => {
  it("answers a page of projects with their items the same, in one statement each time", async () => {
    const [first, ...compiled] = await thrice(
      `{ projectsConnection(first: 5) { totalCount edges { cursor node { id name createdBy { email }
        itemsConnection(first: 5) { edges { node { id title project { name } } } } } } } }`,
    );
    expect(first!.errors).toBeUndefined();
    expect(first!.data.projectsConnection.edges).toHaveLength(2);
    for (const answer of compiled) expect(answer).toEqual(first);
  });

  it("masks and codes errors the same: a hostile cursor is BAD_USER_INPUT with its path and location", async () => {
    const [first, ...compiled] = await thrice(
      `query($after: String) { projectsConnection(first: 2, after: $after) { totalCount edges { cursor } } }`,
      {
        after: Buffer.from("GPC:J:{").toString("base64"),
      },
    );
    expect(first!.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" }, path: ["projectsConnection"] });
    expect((first!.errors?.[0] as { locations?: unknown[] })?.locations).toHaveLength(1);
    for (const answer of compiled) expect(answer).toEqual(first);
  });

  it("answers invalid variable values as graphql-js words them", async () => {
    const [first, ...compiled] = await thrice(
      `query($first: Int) { projectsConnection(first: $first) { totalCount } }`,
      {
        first: "many",
      },
    );
    expect(first!.status).toBe(400);
    for (const answer of compiled) expect(answer).toEqual(first);
  });

  it("never runs a mutation twice when its compiled run fails half-way", async () => {
    const projectId = (await app.graphql(`{ projectsConnection(first: 1) { edges { node { id } } } }`, { token })).data
      .projectsConnection.edges[0].node.id;
    // The first field writes, the second fails: running the document again would write the first twice.
    const halfWay = `mutation($p: ID!, $t: String!) {
      done: createItem(input: { projectId: $p, title: $t }) { id }
      refused: createItem(input: { projectId: $p, title: "" }) { id } }`;
    for (const t of ["once-1", "once-2", "once-3"]) {
      const r = await app.graphql(halfWay, { token, variables: { p: projectId, t } });
      expect(r.errors).toBeDefined(); // (the failed non-null field nulls the answer; the first field wrote)
    }
    const titles = await app.graphql(`{ itemsConnection(first: 100) { edges { node { title } } } }`, { token });
    const once = titles.data.itemsConnection.edges
      .map((e: { node: { title: string } }) => e.node.title)
      .filter((t: string) => t.startsWith("once-"))
      .sort();
    expect(once).toEqual(["once-1", "once-2", "once-3"]);
  });
});

describe("useCompiledExecution", () => {
  const yogaWith = (onCompile: (name: string, compiled: boolean) => void) =>
    createYoga({
      schema: createSchema({
        typeDefs: `type Query { hello(name: String!): String! fail: String }`,
        resolvers: {
          Query: {
            hello: (_: unknown, { name }: { name: string }) => `hello ${name}`,
            fail: () => {
              throw new Error("internal detail");
            },
          },
        },
      }),
      plugins: [useCompiledExecution({ onCompile })],
      maskedErrors: true,
      logging: false,
    });
  const ask = async (yoga: ReturnType<typeof yogaWith>, query: string, variables?: object) =>
    (
      await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      })
    ).json();

  it("compiles a document on its second execution, once", async () => {
    const compiled: string[] = [];
    const yoga = yogaWith((name, ok) => ok && compiled.push(name));
    const query = `query Hi($n: String!) { hello(name: $n) }`;
    expect(await ask(yoga, query, { n: "a" })).toEqual({ data: { hello: "hello a" } });
    expect(compiled).toEqual([]);
    expect(await ask(yoga, query, { n: "b" })).toEqual({ data: { hello: "hello b" } });
    expect(await ask(yoga, query, { n: "c" })).toEqual({ data: { hello: "hello c" } });
    expect(compiled).toEqual(["Hi"]);
    const masked = [await ask(yoga, `{ fail }`), await ask(yoga, `{ fail }`)];
    expect(masked[1]).toEqual(masked[0]);
    expect(JSON.stringify(masked)).not.toContain("internal detail");
  });
});
