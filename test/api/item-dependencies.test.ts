// setItemDependencies: items depend on live items of the same organization (any project),
// never on themselves or in a cycle, also when two requests would close a cycle at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { newProject } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let org: Organization;
let token: string;
let projects: string[];

interface Item {
  id: string;
  version: number;
}

const set = (item: Item, dependsOnIds: string[]) =>
  app.graphql(op("SetItemDependencies"), {
    token,
    variables: { input: { id: item.id, version: item.version, dependsOnIds } },
  });
const read = async (id: string) => dataOf(await app.graphql(op("Item"), { token, variables: { id } })).item!;

async function newItems(count: number, project = projects[0]!): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    const { id, version } = dataOf(
      await app.graphql(op("NewItem"), { token, variables: { input: { projectId: project, title: `item ${i}` } } }),
    ).createItem;
    items.push({ id, version });
  }
  return items;
}

/** Sets the dependencies and returns the item's new version. */
async function link(item: Item, dependsOn: Item[]): Promise<Item> {
  const updated = dataOf(
    await set(
      item,
      dependsOn.map((d) => d.id),
    ),
  ).setItemDependencies;
  return { id: item.id, version: updated.version };
}

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("deps");
  const owner = await app.createUser([[org, "OWNER"]]);
  token = await app.token(owner.id, org.id);
  projects = [];
  for (const name of ["One", "Two"]) {
    projects.push(
      dataOf(await app.graphql(op("NewProject"), { token, variables: { input: { name } } })).createProject.id,
    );
  }
});
afterAll(() => app?.close());

describe("item dependencies", () => {
  it("sets, replaces and clears dependencies, across projects, and shows both directions", async () => {
    const [a, b] = await newItems(2);
    const [c] = await newItems(1, projects[1]);
    const updated = dataOf(await set(a!, [b!.id, c!.id, b!.id])).setItemDependencies;
    expect(updated.dependsOn.map((d) => d.id).sort()).toEqual([b!.id, c!.id].sort());
    expect(updated.version).toBe(2);
    expect((await read(c!.id)).dependents.map((d) => d.id)).toEqual([a!.id]);
    const replaced = dataOf(await set({ id: a!.id, version: 2 }, [c!.id])).setItemDependencies;
    expect(replaced.dependsOn.map((d) => d.id)).toEqual([c!.id]);
    const cleared = dataOf(await set({ id: a!.id, version: 3 }, [])).setItemDependencies;
    expect(cleared).toMatchObject({ dependsOn: [], version: 4 });
  });

  it("refuses a dependency on itself", async () => {
    const [a] = await newItems(1);
    expect(errorOf(await set(a!, [a!.id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" });
    expect(await read(a!.id)).toMatchObject({ dependsOn: [], version: 1 });
  });

  it("refuses cycles of any length, and writes nothing", async () => {
    const items = await newItems(4);
    const a = items[0];
    let [, b, c, d] = items;
    b = await link(b!, [a!]); // b -> a
    c = await link(c!, [b]); // c -> b -> a
    d = await link(d!, [c]); // d -> c -> b -> a
    expect(errorOf(await set(a!, [b.id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" }); // a -> b -> a
    expect(errorOf(await set(a!, [d.id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" }); // a -> d -> c -> b -> a
    expect(await read(a!.id)).toMatchObject({ dependsOn: [], version: 1 });
    // Not a cycle: a diamond (d -> a as well as d -> c -> b -> a).
    const diamond = dataOf(await set(d, [c.id, a!.id])).setItemDependencies;
    expect(diamond.dependsOn).toHaveLength(2);
  });

  it("counts edges through deleted items, so a restore can never close a cycle", async () => {
    const items = await newItems(2);
    const a = items[0];
    let b = items[1];
    b = await link(b!, [a!]); // b -> a
    const deleted = dataOf(await app.graphql(op("DeleteItem"), { token, variables: { input: b } })).deleteItem;
    expect((await read(a!.id)).dependents).toEqual([]); // the deleted dependent is not listed
    expect(errorOf(await set(a!, [b.id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" }); // b is deleted
    dataOf(
      await app.graphql(op("RestoreItem"), { token, variables: { input: { id: b.id, version: deleted.version } } }),
    );
    expect(errorOf(await set(a!, [b.id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" }); // a -> b -> a
  });

  it("refuses unknown items, deleted items and another organization's items", async () => {
    const [a, gone] = await newItems(2);
    dataOf(await app.graphql(op("DeleteItem"), { token, variables: { input: gone! } }));
    const other = await app.provisionOrg("deps-other");
    const stranger = await app.createUser([[other, "OWNER"]]);
    const strangerToken = await app.token(stranger.id, other.id);
    const foreignProject = (await newProject(app, strangerToken, "Theirs")).id;
    const foreign = dataOf(
      await app.graphql(op("NewItem"), {
        token: strangerToken,
        variables: { input: { projectId: foreignProject, title: "theirs" } },
      }),
    ).createItem;
    for (const id of [gone!.id, foreign.id, "00000000-0000-4000-8000-000000000000"]) {
      expect(errorOf(await set(a!, [id]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" });
    }
    expect(errorOf(await set(a!, ["not-an-id"]))).toMatchObject({ code: "BAD_USER_INPUT", field: "dependsOnIds" });
    expect(await read(a!.id)).toMatchObject({ dependsOn: [], version: 1 });
  });

  it("of two concurrent changes that together would close a cycle, exactly one succeeds", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await newItems(2);
      const results = await Promise.all([set(a!, [b!.id]), set(b!, [a!.id])]);
      const outcomes = results.map((r) => (r.errors ? errorOf(r).code : "ok")).sort();
      expect(outcomes).toEqual(["BAD_USER_INPUT", "ok"]);
      const [readA, readB] = await Promise.all([read(a!.id), read(b!.id)]);
      expect(readA.dependsOn.length + readB.dependsOn.length).toBe(1);
    }
  });
});
