// Projects through GraphQL: create, update, soft delete and restore; optimistic concurrency
// (a stale version is CONFLICT and writes nothing); names unique among live projects, also
// when two requests race for one name; validation errors that name the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { memberOf } from "../helpers/fixtures.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op, type InputOf } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let org: Organization;
let admin: { id: string; token: string };

const create = (input: InputOf<"NewProject">) =>
  app.graphql(op("NewProject"), { token: admin.token, variables: { input } });
const update = (input: InputOf<"UpdateProject">) =>
  app.graphql(op("UpdateProject"), { token: admin.token, variables: { input } });
const read = async (id: string) =>
  dataOf(await app.graphql(op("Project"), { token: admin.token, variables: { id } })).project;
const names = async (includeDeleted = false) =>
  dataOf(
    await app.graphql(op("Projects"), { token: admin.token, variables: { first: 100, includeDeleted } }),
  ).projectsConnection.edges.map((e: { node: { name: string } }) => e.node.name);

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("projects");
  admin = await memberOf(app, org, "ADMIN");
});
afterAll(() => app?.close());

describe("projects", () => {
  it("creates a project with defaults, version 1 and its creator", async () => {
    const project = dataOf(await create({ name: "  Apollo  ", description: "to the moon" })).createProject;
    expect(project).toMatchObject({
      name: "Apollo",
      description: "to the moon",
      status: "ACTIVE",
      version: 1,
      deletedAt: null,
    });
    expect(project.createdBy!.id).toBe(admin.id);
    expect(await read(project.id)).toEqual(project);
  });

  it("updates only the fields given and increments the version", async () => {
    const { id } = dataOf(await create({ name: "Gemini", description: "two seats" })).createProject;
    const updated = dataOf(await update({ id, version: 1, status: "ARCHIVED" })).updateProject;
    expect(updated).toMatchObject({ name: "Gemini", description: "two seats", status: "ARCHIVED", version: 2 });
    const renamed = dataOf(await update({ id, version: 2, name: "Gemini II", description: "" })).updateProject;
    expect(renamed).toMatchObject({ name: "Gemini II", description: "", status: "ARCHIVED", version: 3 });
  });

  it("refuses a stale version with CONFLICT and changes nothing", async () => {
    const { id } = dataOf(await create({ name: "Mercury" })).createProject;
    dataOf(await update({ id, version: 1, description: "first writer" }));
    const stale = await update({ id, version: 1, description: "second writer" });
    expect(errorOf(stale)).toMatchObject({ code: "CONFLICT", field: "version" });
    expect(errorOf(stale).extensions.currentVersion).toBe(2);
    expect(await read(id)).toMatchObject({ description: "first writer", version: 2 });
  });

  it("lets exactly one of two concurrent writers with the same version win", async () => {
    const { id } = dataOf(await create({ name: "Vostok" })).createProject;
    const results = await Promise.all(["a", "b"].map((d) => update({ id, version: 1, description: d })));
    expect(results.map((r) => (r.errors ? errorOf(r).code : "ok")).sort()).toEqual(["CONFLICT", "ok"]);
    const winner = results.find((r) => !r.errors)!.data!.updateProject.description;
    expect(await read(id)).toMatchObject({ description: winner, version: 2 });
  });

  it("soft-deletes: hidden from reads, listed for admins with includeDeleted, name freed; restore brings it back", async () => {
    const { id } = dataOf(await create({ name: "Skylab" })).createProject;
    const deleted = dataOf(
      await app.graphql(op("DeleteProject"), { token: admin.token, variables: { input: { id, version: 1 } } }),
    ).deleteProject;
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.version).toBe(2);
    expect(await read(id)).toBeNull();
    expect(await names()).not.toContain("Skylab");
    expect(await names(true)).toContain("Skylab");
    // Updating a deleted project: not found. Deleting it again: not found.
    expect(errorOf(await update({ id, version: 2, description: "x" })).code).toBe("NOT_FOUND");
    // Its name is free while it is deleted, so restoring it needs the name free again.
    const twin = dataOf(await create({ name: "Skylab" })).createProject;
    const blocked = await app.graphql(op("RestoreProject"), {
      token: admin.token,
      variables: { input: { id, version: 2 } },
    });
    expect(errorOf(blocked)).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    dataOf(await update({ id: twin.id, version: 1, name: "Skylab B" }));
    const restored = dataOf(
      await app.graphql(op("RestoreProject"), { token: admin.token, variables: { input: { id, version: 2 } } }),
    ).restoreProject;
    expect(restored).toMatchObject({ name: "Skylab", deletedAt: null, version: 3 });
    expect(await read(id)).toMatchObject({ name: "Skylab" });
  });

  it("restoring a live project is not found, and a stale restore is CONFLICT", async () => {
    const { id } = dataOf(await create({ name: "Salyut" })).createProject;
    expect(
      errorOf(await app.graphql(op("RestoreProject"), { token: admin.token, variables: { input: { id, version: 1 } } }))
        .code,
    ).toBe("NOT_FOUND");
    dataOf(await app.graphql(op("DeleteProject"), { token: admin.token, variables: { input: { id, version: 1 } } }));
    expect(
      errorOf(await app.graphql(op("RestoreProject"), { token: admin.token, variables: { input: { id, version: 1 } } }))
        .code,
    ).toBe("CONFLICT");
  });

  it("keeps names unique among live projects, on create and on rename", async () => {
    dataOf(await create({ name: "Soyuz" }));
    expect(errorOf(await create({ name: "Soyuz" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    const other = dataOf(await create({ name: "Progress" })).createProject;
    expect(errorOf(await update({ id: other.id, version: 1, name: "Soyuz" }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "name",
    });
    expect(await read(other.id)).toMatchObject({ name: "Progress", version: 1 });
  });

  it("lets exactly one of many concurrent creates with one name succeed", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => create({ name: "Buran" })));
    const outcomes = results.map((r) => (r.errors ? `${errorOf(r).code}:${errorOf(r).field}` : "ok"));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o !== "ok")).toEqual(Array(7).fill("BAD_USER_INPUT:name"));
    expect((await names()).filter((n: string) => n === "Buran")).toHaveLength(1);
  });

  it("validates input declaratively: BAD_USER_INPUT naming the field, nothing written", async () => {
    const before = await names();
    expect(errorOf(await create({ name: "" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect(errorOf(await create({ name: "x".repeat(201) }))).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect(errorOf(await create({ name: "ok", description: "d".repeat(10_001) }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "description",
    });
    expect(errorOf(await update({ id: "not-an-id", version: 1 }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "id",
    });
    expect(errorOf(await update({ id: "00000000-0000-4000-8000-000000000000", version: 0 }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "version",
    });
    expect(await names()).toEqual(before);
    // 200 characters is allowed.
    expect(dataOf(await create({ name: "y".repeat(200) })).createProject.name).toHaveLength(200);
  });

  it("filters by status and name search", async () => {
    const search = async (filter: Record<string, unknown>) =>
      dataOf(
        await app.graphql(op("Projects"), { token: admin.token, variables: { first: 100, filter } }),
      ).projectsConnection.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(await search({ search: "gemini" })).toEqual(["Gemini II"]);
    expect(await search({ status: ["ARCHIVED"] })).toEqual(["Gemini II"]);
    expect(await search({ search: "%" })).toEqual([]); // LIKE wildcards are matched literally
  });

  it("cannot touch another organization's project", async () => {
    const other = await app.provisionOrg("projects-other");
    const stranger = await app.createUser([[other, "OWNER"]]);
    const token = await app.token(stranger.id, other.id);
    const { id } = dataOf(await create({ name: "Private" })).createProject;
    const attempt = await app.graphql(op("UpdateProject"), {
      token,
      variables: { input: { id, version: 1, name: "Stolen" } },
    });
    expect(errorOf(attempt).code).toBe("NOT_FOUND");
    expect(await read(id)).toMatchObject({ name: "Private", version: 1 });
  });
});
