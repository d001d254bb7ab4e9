// The cross-organization attack suite, run against every tier on both servers: a member of
// organization A tries to read, list, search, guess and write organization B's rows
// (B sits in the same tier on the same server, i.e. in the same database for SCHEMA hosts
// and SHARED). Every attempt must fail and change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { moveTo } from "../helpers/moves.ts";
import { MOVED_PLACEMENTS, PLACEMENTS } from "../helpers/placements.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

interface Side {
  org: Organization;
  token: string;
  userId: string;
  project: { id: string; version: number };
  item: { id: string; version: number };
  word: string;
}

type Tier = (typeof PLACEMENTS)[number][0];
type Server = (typeof PLACEMENTS)[number][1];

/** `movedFrom`: provisioned in that tier on "main", given its rows, then moved to tier and server. */
async function side(name: string, tier: Tier, server: Server, movedFrom?: Tier): Promise<Side> {
  let org = await app.provisionOrg(name, movedFrom ? { tier: movedFrom } : { tier, server });
  const user = await app.createUser([[org, "OWNER"]]);
  const token = await app.token(user.id, org.id);
  const word = `secret${name.replace(/\W/g, "")}`;
  const p = await app.graphql(`mutation($input: CreateProjectInput!) { createProject(input: $input) { id version } }`, {
    token,
    variables: { input: { name: `${word} project`, description: `${word} plans` } },
  });
  expect(p.errors).toBeUndefined();
  const i = await app.graphql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id version } }`, {
    token,
    variables: {
      input: {
        projectId: p.data.createProject.id,
        title: `${word} item`,
        description: `${word} details`,
        kind: "RISK",
      },
    },
  });
  expect(i.errors).toBeUndefined();
  if (movedFrom) org = await moveTo(app, org, tier, server);
  return { org, token, userId: user.id, project: p.data.createProject, item: i.data.createItem, word };
}

function attackSuite(tier: Tier, server: Server, movedFrom?: Tier) {
  let a: Side;
  let b: Side;
  const BOTH = `query { projectsConnection(first: 100, includeDeleted: true) { totalCount edges { node { id name } } } itemsConnection(first: 100, includeDeleted: true) { totalCount edges { node { id title } } } }`;

  beforeAll(async () => {
    const name = movedFrom
      ? `mv-${tier.slice(0, 2)}${server[0]}-${movedFrom.slice(0, 2)}`.toLowerCase()
      : `${tier.toLowerCase()}-${server}`;
    a = await side(`atk-a-${name}`, tier, server, movedFrom);
    b = await side(`atk-b-${name}`, tier, server, movedFrom);
  });

  async function bUnchanged() {
    const r = await app.graphql(
      `query($p: ID!, $i: ID!) { project(id: $p) { name version deletedAt } item(id: $i) { title version deletedAt assignee { id } } }`,
      {
        token: b.token,
        variables: { p: b.project.id, i: b.item.id },
      },
    );
    expect(r.data).toEqual({
      project: { name: `${b.word} project`, version: b.project.version, deletedAt: null },
      item: { title: `${b.word} item`, version: b.item.version, deletedAt: null, assignee: null },
    });
  }

  it("lists only its own projects and items, deleted ones included", async () => {
    const r = await app.graphql(BOTH, { token: a.token });
    expect(r.errors).toBeUndefined();
    expect(r.data.projectsConnection.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([a.project.id]);
    expect(r.data.itemsConnection.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([a.item.id]);
    expect(r.data.projectsConnection.totalCount).toBe(1);
    expect(r.data.itemsConnection.totalCount).toBe(1);
  });

  it("finds nothing of the other organization by search or filter", async () => {
    const r = await app.graphql(
      `query($w: String!) { projectsConnection(first: 10, filter: { search: $w }) { totalCount edges { node { id } } } itemsConnection(first: 10, filter: { search: $w, kind: [RISK] }) { totalCount edges { node { id } } } }`,
      { token: a.token, variables: { w: b.word } },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      projectsConnection: { totalCount: 0, edges: [] },
      itemsConnection: { totalCount: 0, edges: [] },
    });
  });

  it("reads nothing of the other organization by id, or by guessing", async () => {
    const r = await app.graphql(`query($p: ID!, $i: ID!) { project(id: $p) { id } item(id: $i) { id } }`, {
      token: a.token,
      variables: { p: b.project.id, i: b.item.id },
    });
    expect(r.data).toEqual({ project: null, item: null });
    const swapped = await app.graphql(`query($p: ID!, $i: ID!) { project(id: $p) { id } item(id: $i) { id } }`, {
      token: a.token,
      variables: { p: b.item.id, i: b.project.id },
    });
    expect(swapped.data).toEqual({ project: null, item: null });
    const items = await app.graphql(
      `query($p: ID!) { itemsConnection(first: 10, projectId: $p) { edges { node { id } } } }`,
      { token: a.token, variables: { p: b.project.id } },
    );
    expect(items.data?.itemsConnection?.edges ?? []).toEqual([]);
  });

  it("cannot update, delete, restore, assign or link the other organization's rows", async () => {
    const attempts: Array<[string, Record<string, unknown>]> = [
      [
        `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { id } }`,
        { id: b.project.id, version: b.project.version, name: "pwned" },
      ],
      [
        `mutation($input: VersionedIdInput!) { deleteProject(input: $input) { id } }`,
        { id: b.project.id, version: b.project.version },
      ],
      [
        `mutation($input: VersionedIdInput!) { restoreProject(input: $input) { id } }`,
        { id: b.project.id, version: b.project.version },
      ],
      [
        `mutation($input: UpdateItemInput!) { updateItem(input: $input) { id } }`,
        { id: b.item.id, version: b.item.version, title: "pwned" },
      ],
      [
        `mutation($input: VersionedIdInput!) { deleteItem(input: $input) { id } }`,
        { id: b.item.id, version: b.item.version },
      ],
      [
        `mutation($input: AssignItemInput!) { assignItem(input: $input) { id } }`,
        { id: b.item.id, version: b.item.version, assigneeId: a.userId },
      ],
      [
        `mutation($input: SetItemDependenciesInput!) { setItemDependencies(input: $input) { id } }`,
        { id: b.item.id, version: b.item.version, dependsOnIds: [] },
      ],
      [
        `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
        { projectId: b.project.id, title: "planted" },
      ],
    ];
    for (const [mutation, input] of attempts) {
      const r = await app.graphql(mutation, { token: a.token, variables: { input } });
      expect(r.data ?? null, mutation).toBeNull();
      expect(["NOT_FOUND", "BAD_USER_INPUT"], mutation).toContain(r.errors?.[0]?.extensions?.code);
    }
    await bUnchanged();
  });

  it("cannot make its own rows point at the other organization's", async () => {
    const link = await app.graphql(
      `mutation($input: SetItemDependenciesInput!) { setItemDependencies(input: $input) { id } }`,
      {
        token: a.token,
        variables: { input: { id: a.item.id, version: a.item.version, dependsOnIds: [b.item.id] } },
      },
    );
    expect(link.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const assign = await app.graphql(`mutation($input: AssignItemInput!) { assignItem(input: $input) { id } }`, {
      token: a.token,
      variables: { input: { id: a.item.id, version: a.item.version, assigneeId: b.userId } },
    });
    expect(assign.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    await bUnchanged();
  });

  it("cannot smuggle an orgId through an input", async () => {
    const r = await app.graphql(
      `mutation { createProject(input: { name: "smuggled", orgId: "${b.org.id}" }) { id } }`,
      { token: a.token },
    );
    expect(r.errors?.[0]?.message).toMatch(/orgId/);
    expect(r.data ?? null).toBeNull();
    const own = await app.graphql(`{ projectsConnection(first: 10, filter: { search: "smuggled" }) { totalCount } }`, {
      token: b.token,
    });
    expect(own.data.projectsConnection.totalCount).toBe(0);
  });

  it("is refused outright when it names the other organization", async () => {
    const r = await app.graphql(BOTH, { token: a.token, orgId: b.org.id });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(r.data ?? null).toBeNull();
  });
}

describe.each(PLACEMENTS)("%s tier on server %s", (tier, server) => attackSuite(tier, server));
describe.each(MOVED_PLACEMENTS)("%s tier on server %s, moved there from %s", attackSuite);
