// Two organizations in two databases: each member sees only their own organization's
// rows, and every attempt to read or write the other organization's rows by id fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { nodes } from "../helpers/connections.ts";

let app: TestApp;
let acme: Organization;
let globex: Organization;
let aliceToken: string;
let bobToken: string;
const ids = { acmeProject: "", acmeItem: "", globexProject: "", globexItem: "" };

const CREATE_PROJECT = `mutation($name: String!) { createProject(input: { name: $name }) { id name } }`;
const CREATE_ITEM = `mutation($projectId: ID!, $title: String!) { createItem(input: { projectId: $projectId, title: $title }) { id title project { id } } }`;

beforeAll(async () => {
  app = await startTestApp();
  [acme, globex] = await Promise.all([app.provisionOrg("acme"), app.provisionOrg("globex")]);
  const alice = await app.createUser([[acme, "OWNER"]]);
  const bob = await app.createUser([[globex, "OWNER"]]);
  aliceToken = await app.token(alice.id, acme.id);
  bobToken = await app.token(bob.id, globex.id);
  for (const [token, key] of [
    [aliceToken, "acme"],
    [bobToken, "globex"],
  ] as const) {
    const project = await app.graphql(CREATE_PROJECT, { token, variables: { name: `${key} secret plan` } });
    expect(project.errors).toBeUndefined();
    const item = await app.graphql(CREATE_ITEM, {
      token,
      variables: { projectId: project.data.createProject.id, title: `${key} secret item` },
    });
    expect(item.errors).toBeUndefined();
    ids[`${key}Project`] = project.data.createProject.id;
    ids[`${key}Item`] = item.data.createItem.id;
  }
});

afterAll(async () => {
  await app?.close();
});

describe("two organizations in two databases", () => {
  it("places each organization in its own database", () => {
    expect(acme.databaseName).not.toBe(globex.databaseName);
    expect(acme.state).toBe("READY");
  });

  it("lists only the caller's organization's projects and items", async () => {
    const query = `{ currentOrganization { slug } projectsConnection(first: 20) { edges { node { id name itemsConnection(first: 20) { edges { node { id title } } } } } } }`;
    const projectsOf = (data: any) =>
      nodes(data.projectsConnection).map((p: any) => ({ id: p.id, name: p.name, items: nodes(p.itemsConnection) }));
    const a = await app.graphql(query, { token: aliceToken });
    expect(a.errors).toBeUndefined();
    expect(a.data.currentOrganization.slug).toBe(acme.slug);
    expect(projectsOf(a.data)).toEqual([
      { id: ids.acmeProject, name: "acme secret plan", items: [{ id: ids.acmeItem, title: "acme secret item" }] },
    ]);
    const b = await app.graphql(query, { token: bobToken });
    expect(projectsOf(b.data).map((p: { id: string }) => p.id)).toEqual([ids.globexProject]);
  });

  it("returns null for the other organization's project and item ids", async () => {
    const other = await app.graphql(
      `query($p: ID!, $i: ID!) { project(id: $p) { id name } item(id: $i) { id title } }`,
      {
        token: aliceToken,
        variables: { p: ids.globexProject, i: ids.globexItem },
      },
    );
    expect(other.errors).toBeUndefined();
    expect(other.data).toEqual({ project: null, item: null });
    const own = await app.graphql(`query($p: ID!) { project(id: $p) { id } }`, {
      token: bobToken,
      variables: { p: ids.globexProject },
    });
    expect(own.data.project).toEqual({ id: ids.globexProject }); // the same query works for the owner
  });

  it("refuses to create an item under the other organization's project, and writes nothing", async () => {
    const attempt = await app.graphql(CREATE_ITEM, {
      token: aliceToken,
      variables: { projectId: ids.globexProject, title: "planted" },
    });
    expect(attempt.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(attempt.data).toBeNull();
    const bobsView = await app.graphql(
      `{ projectsConnection(first: 20) { edges { node { itemsConnection(first: 20) { edges { node { title } } } } } } }`,
      { token: bobToken },
    );
    expect(
      nodes(nodes<any>(bobsView.data.projectsConnection)[0].itemsConnection).map((i: { title: string }) => i.title),
    ).toEqual(["globex secret item"]);
  });

  it("treats malformed and guessed ids as not found", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-0000-0000-000000000000", `${ids.globexProject}' OR '1'='1`]) {
      const r = await app.graphql(`query($p: ID!) { project(id: $p) { id } }`, {
        token: aliceToken,
        variables: { p: id },
      });
      expect(r.errors).toBeUndefined();
      expect(r.data.project).toBeNull();
    }
  });

  it("rejects invalid input with BAD_USER_INPUT naming the field, writing nothing", async () => {
    const r = await app.graphql(CREATE_PROJECT, { token: aliceToken, variables: { name: "   " } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    const list = await app.graphql(`{ projectsConnection(first: 100) { edges { node { name } } } }`, {
      token: aliceToken,
    });
    expect(nodes(list.data.projectsConnection)).toHaveLength(1);
  });

  it("resolves createdBy from the central database", async () => {
    const r = await app.graphql(
      `{ me { id email } projectsConnection(first: 1) { edges { node { createdBy { id email } } } } }`,
      { token: aliceToken },
    );
    expect(r.errors).toBeUndefined();
    expect(nodes<any>(r.data.projectsConnection)[0].createdBy).toEqual(r.data.me);
  });
});
