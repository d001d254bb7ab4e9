// Items through GraphQL: create with every field, update, soft delete and restore, assign
// (members only: a user of another organization is refused), CONFLICT on stale versions,
// filters, and an item under a deleted project being out of reach.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type GraphQLResponse, type TestApp } from "../helpers/app.ts";
import { memberOf, newProject } from "../helpers/fixtures.ts";
import { op, type DataOf, type InputOf, type OperationName } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let org: Organization;
let member: { id: string; token: string };
let colleague: { id: string };
let outsider: { id: string };
let projectId: string;

const call = <Name extends OperationName>(name: Name, input: InputOf<Name>): Promise<GraphQLResponse<DataOf<Name>>> =>
  app.graphql<any, any>(op(name), { token: member.token, variables: { input } });
const create = (input: Omit<InputOf<"NewItem">, "projectId">) => call("NewItem", { projectId, ...input });
const read = async (id: string) =>
  dataOf(await app.graphql(op("Item"), { token: member.token, variables: { id } })).item;
const list = async (variables: Record<string, unknown>) =>
  dataOf(await app.graphql(op("Items"), { token: member.token, variables: { first: 100, ...variables } }))
    .itemsConnection;

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("items");
  const other = await app.provisionOrg("items-other");
  const owner = await app.createUser([[org, "OWNER"]]);
  member = await memberOf(app, org, "MEMBER");
  colleague = await app.createUser([[org, "VIEWER"]]);
  outsider = await app.createUser([[other, "OWNER"]]);
  const ownerToken = await app.token(owner.id, org.id);
  projectId = (await newProject(app, ownerToken, "Braid")).id;
});
afterAll(() => app?.close());

describe("items", () => {
  it("creates an item with every field, and with defaults", async () => {
    const full = dataOf(
      await create({
        kind: "RISK",
        title: " Supplier slips ",
        description: "late parts",
        status: "BLOCKED",
        priority: "CRITICAL",
        assigneeId: colleague.id,
        dueDate: "2027-02-28",
      }),
    ).createItem;
    expect(full).toMatchObject({
      kind: "RISK",
      title: "Supplier slips",
      description: "late parts",
      status: "BLOCKED",
      priority: "CRITICAL",
      dueDate: "2027-02-28",
      version: 1,
      deletedAt: null,
      project: { id: projectId },
      createdBy: { id: member.id },
      assignee: { id: colleague.id },
    });
    expect(await read(full.id)).toEqual(full);
    // The same item through a project's connection (loaded with a lateral join, as JSON): identical.
    const nested = dataOf(await app.graphql(op("ProjectItems"), { token: member.token, variables: { projectId } }))
      .project!.itemsConnection.edges;
    expect(nested.find((e) => e.node.id === full.id)!.node).toEqual(full);
    const plain = dataOf(await create({ title: "Decide" })).createItem;
    expect(plain).toMatchObject({
      kind: "ACTION",
      status: "OPEN",
      priority: "MEDIUM",
      description: "",
      dueDate: null,
      assignee: null,
    });
  });

  it("updates only the fields given, clears dueDate with null, and increments the version", async () => {
    const { id } = dataOf(
      await create({ title: "Assume budget", kind: "ASSUMPTION", dueDate: "2027-01-01" }),
    ).createItem;
    const a = dataOf(await call("UpdateItem", { id, version: 1, status: "IN_PROGRESS", priority: "HIGH" })).updateItem;
    expect(a).toMatchObject({
      title: "Assume budget",
      kind: "ASSUMPTION",
      status: "IN_PROGRESS",
      priority: "HIGH",
      dueDate: "2027-01-01",
      version: 2,
    });
    const b = dataOf(
      await call("UpdateItem", { id, version: 2, dueDate: null, title: "Budget holds", kind: "DECISION" }),
    ).updateItem;
    expect(b).toMatchObject({
      title: "Budget holds",
      kind: "DECISION",
      status: "IN_PROGRESS",
      dueDate: null,
      version: 3,
    });
  });

  it("refuses a stale version with CONFLICT and changes nothing", async () => {
    const { id } = dataOf(await create({ title: "Stale" })).createItem;
    dataOf(await call("UpdateItem", { id, version: 1, title: "Fresh" }));
    for (const [name, input] of [
      ["UpdateItem", { id, version: 1, title: "Overwritten" }],
      ["DeleteItem", { id, version: 1 }],
      ["AssignItem", { id, version: 1, assigneeId: colleague.id }],
      ["SetItemDependencies", { id, version: 1, dependsOnIds: [] }],
    ] as const) {
      expect(
        errorOf(await app.graphql<any, any>(op(name), { token: member.token, variables: { input } })),
      ).toMatchObject({ code: "CONFLICT", field: "version" });
    }
    expect(await read(id)).toMatchObject({ title: "Fresh", version: 2, assignee: null, deletedAt: null });
  });

  it("soft-deletes and restores; admins list deleted items with includeDeleted, others may not", async () => {
    const { id } = dataOf(await create({ title: "Temporary" })).createItem;
    const deleted = dataOf(await call("DeleteItem", { id, version: 1 })).deleteItem;
    expect(deleted).toMatchObject({ version: 2 });
    expect(deleted.deletedAt).not.toBeNull();
    expect(await read(id)).toBeNull();
    expect((await list({})).edges.map((e: any) => e.node.id)).not.toContain(id);
    expect(errorOf(await call("UpdateItem", { id, version: 2, title: "x" })).code).toBe("NOT_FOUND");
    const denied = await app.graphql(op("Items"), { token: member.token, variables: { includeDeleted: true } });
    expect(errorOf(denied).code).toBe("FORBIDDEN");
    const restored = dataOf(await call("RestoreItem", { id, version: 2 })).restoreItem;
    expect(restored).toMatchObject({ deletedAt: null, version: 3, title: "Temporary" });
    expect(await read(id)).toMatchObject({ id });
  });

  it("assigns to members only: a user of another organization or an unknown user is refused", async () => {
    const { id } = dataOf(await create({ title: "Who does it" })).createItem;
    const assigned = dataOf(await call("AssignItem", { id, version: 1, assigneeId: colleague.id })).assignItem;
    expect(assigned).toMatchObject({ assignee: { id: colleague.id }, version: 2 });
    for (const assigneeId of [outsider.id, "00000000-0000-4000-8000-000000000000"]) {
      expect(errorOf(await call("AssignItem", { id, version: 2, assigneeId }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "assigneeId",
      });
      expect(errorOf(await create({ title: "x", assigneeId }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "assigneeId",
      });
    }
    expect(await read(id)).toMatchObject({ assignee: { id: colleague.id }, version: 2 });
    const unassigned = dataOf(await call("AssignItem", { id, version: 2, assigneeId: null })).assignItem;
    expect(unassigned).toMatchObject({ assignee: null, version: 3 });
  });

  it("filters by kind, status, priority, assignee and text; the project's own connection filters the same way", async () => {
    const mine = dataOf(
      await create({ title: "Filter target: 100% sure", kind: "ISSUE", priority: "LOW", assigneeId: member.id }),
    ).createItem;
    const ids = async (filter: Record<string, unknown>) => (await list({ filter })).edges.map((e: any) => e.node.id);
    expect(await ids({ kind: ["ISSUE"], priority: ["LOW"] })).toEqual([mine.id]);
    expect(await ids({ assigneeId: member.id })).toEqual([mine.id]);
    expect(await ids({ search: "100%" })).toEqual([mine.id]);
    expect(await ids({ search: "TARGET", status: ["OPEN"] })).toEqual([mine.id]);
    expect(await ids({ search: "target", status: ["DONE"] })).toEqual([]);
    expect((await ids({ unassigned: true })).includes(mine.id)).toBe(false);
    const underProject = dataOf(
      await app.graphql(op("ProjectItems"), {
        token: member.token,
        variables: { projectId, filter: { kind: ["ISSUE"] } },
      }),
    ).project!.itemsConnection.edges.map((e) => e.node.id);
    expect(underProject).toEqual([mine.id]);
    expect((await list({ filter: { kind: ["ISSUE"] } })).totalCount).toBe(1);
  });

  it("refuses items under a project that is not the organization's or is deleted", async () => {
    expect(
      errorOf(await call("NewItem", { projectId: "00000000-0000-4000-8000-000000000000", title: "x" })),
    ).toMatchObject({ code: "NOT_FOUND", field: "projectId" });
    const owner = await app.createUser([[org, "ADMIN"]]);
    const adminToken = await app.token(owner.id, org.id);
    const doomed = await newProject(app, adminToken, "Doomed");
    const { id } = dataOf(await call("NewItem", { projectId: doomed.id, title: "orphan" })).createItem;
    dataOf(
      await app.graphql(op("DeleteProject"), {
        token: adminToken,
        variables: { input: { id: doomed.id, version: 1 } },
      }),
    );
    expect(await read(id)).toBeNull();
    expect(errorOf(await call("UpdateItem", { id, version: 1, title: "x" })).code).toBe("NOT_FOUND");
    expect(errorOf(await call("NewItem", { projectId: doomed.id, title: "x" })).code).toBe("NOT_FOUND");
    expect((await list({})).edges.map((e: any) => e.node.id)).not.toContain(id);
  });

  it("validates input: BAD_USER_INPUT naming the field", async () => {
    expect(errorOf(await create({ title: "   " }))).toMatchObject({ code: "BAD_USER_INPUT", field: "title" });
    expect(errorOf(await create({ title: "t".repeat(301) }))).toMatchObject({ code: "BAD_USER_INPUT", field: "title" });
    expect(dataOf(await create({ title: "t".repeat(300) })).createItem.title).toHaveLength(300);
    expect(errorOf(await create({ title: "x", assigneeId: "nobody" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "assigneeId",
      message: "assigneeId: must be a UUID (an id this API returned)",
    });
    expect(errorOf(await call("UpdateItem", { id: projectId, version: -1 }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "version",
    });
    for (const dueDate of ["2027-02-30", "tomorrow", "2027-2-3"])
      expect(errorOf(await create({ title: "x", dueDate })).code).toBe("BAD_USER_INPUT");
  });
});
