// The product API behaves the same in every isolation tier: DATABASE (own database), SCHEMA
// (own schema in a shared database) and SHARED (shared tables under row-level security).
// Each write path that does more than plain CRUD runs here once per tier: the partial unique
// name index, versioned writes, the dependency transaction (advisory lock + graph walk) and a
// page of projects that joins its items.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tier } from "../../src/data/central-client.ts";
import { startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";
import { newProject } from "../helpers/fixtures.ts";
import { op, type DataOf, type InputOf, type OperationName } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
const tokens = {} as Record<Tier, string>;
const TIERS: Tier[] = ["DATABASE", "SCHEMA", "SHARED"];

beforeAll(async () => {
  app = await startTestApp();
  for (const tier of TIERS) {
    // Two organizations per tier, so a neighbour's rows are really there (one after the
    // other: the first SCHEMA/SHARED provisioning on a server creates the host database).
    const org = await app.provisionOrg(`tier-${tier.toLowerCase()}`, { tier });
    const neighbour = await app.provisionOrg(`tier-${tier.toLowerCase()}-2`, { tier });
    const other = await app.createUser([[neighbour, "OWNER"]]);
    const otherToken = await app.token(other.id, neighbour.id);
    const theirs = await newProject(app, otherToken, "Same name");
    dataOf(
      await app.graphql(op("NewItem"), {
        token: otherToken,
        variables: { input: { projectId: theirs.id, title: "theirs" } },
      }),
    );
    const owner = await app.createUser([[org, "OWNER"]]);
    tokens[tier] = await app.token(owner.id, org.id);
  }
});
afterAll(() => app?.close());

describe.each(TIERS)("%s tier", (tier) => {
  it("projects, items, dependencies, conflicts and a joined page", async () => {
    const token = tokens[tier];
    const call = <Name extends OperationName>(
      name: Name,
      input: InputOf<Name>,
    ): Promise<GraphQLResponse<DataOf<Name>>> => app.graphql<any, any>(op(name), { token, variables: { input } });
    const project = dataOf(await call("NewProject", { name: "Same name" })).createProject;
    expect(errorOf(await call("NewProject", { name: "Same name" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "name",
    });
    const [a, b] = [
      dataOf(await call("NewItem", { projectId: project.id, title: "a" })).createItem,
      dataOf(await call("NewItem", { projectId: project.id, title: "b" })).createItem,
    ];
    const linked = dataOf(
      await call("SetItemDependencies", { id: a.id, version: 1, dependsOnIds: [b.id] }),
    ).setItemDependencies;
    expect(linked.dependsOn).toEqual([{ id: b.id }]);
    expect(errorOf(await call("SetItemDependencies", { id: b.id, version: 1, dependsOnIds: [a.id] }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "dependsOnIds",
    });
    expect(errorOf(await call("UpdateItem", { id: a.id, version: 1, title: "stale" })).code).toBe("CONFLICT");
    dataOf(await call("DeleteProject", { id: project.id, version: 1 }));
    dataOf(await call("NewProject", { name: "Same name" })); // the name is free again
    const page = dataOf(
      await app.graphql(op("ProjectBoard"), { token, variables: { projects: 10, items: 10 } }),
    ).projectsConnection;
    expect(page.edges.map((e: any) => [e.node.name, e.node.itemsConnection.edges.length])).toEqual([["Same name", 0]]);
    const deleted = dataOf(await app.graphql(op("ProjectItems"), { token, variables: { projectId: project.id } }));
    expect(deleted.project).toBeNull();
  });
});
