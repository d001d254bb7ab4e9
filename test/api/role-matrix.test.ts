// The role matrix (README "Roles"): every role against every mutation, allowed or FORBIDDEN.
// Allowed means it succeeded and took effect; FORBIDDEN means nothing changed. Reads: every
// role reads; only admins and owners see deleted rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization, Role } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op, type DataOf, type InputOf, type OperationName } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;
let org: Organization;
let ownerToken: string;
let projectId: string;
const tokens = {} as Record<Role, string>;
const ROLES: Role[] = ["VIEWER", "MEMBER", "ADMIN", "OWNER"];
let counter = 0;
const unique = (what: string) => `${what} ${++counter}`;

const asOwner = async <Name extends OperationName>(operation: Name, input: InputOf<Name>): Promise<DataOf<Name>> =>
  dataOf(await app.graphql<any, any>(op(operation), { token: ownerToken, variables: { input } }));
const newProject = async () => (await asOwner("NewProject", { name: unique("project") })).createProject;
const newItem = async () => (await asOwner("NewItem", { projectId, title: unique("item") })).createItem;
const versionOf = async (model: "project" | "item", id: string) =>
  (model === "project"
    ? (await app.graphql(op("Project"), { token: ownerToken, variables: { id } })).data?.project?.version
    : (await app.graphql(op("Item"), { token: ownerToken, variables: { id } })).data?.item?.version) ?? null;
const roleOf = async (userId: string) =>
  (await app.central.membership.findUnique({ where: { userId_orgId: { userId, orgId: org.id } } }))?.role ?? null;

interface Attempt {
  operation: OperationName;
  input: Record<string, unknown>;
  /** Whether the mutation took effect. */
  happened(): Promise<boolean>;
}

/** Who may run each mutation, and a fresh target for one attempt. */
const MUTATIONS: Record<string, { allowed: Role[]; attempt(): Promise<Attempt> }> = {
  createProject: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const name = unique("created");
      return {
        operation: "NewProject",
        input: { name },
        happened: async () =>
          (await app.graphql(op("Projects"), { token: ownerToken, variables: { filter: { search: name } } })).data
            ?.projectsConnection.edges.length === 1,
      };
    },
  },
  updateProject: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const p = await newProject();
      return {
        operation: "UpdateProject",
        input: { id: p.id, version: 1, description: "changed" },
        happened: async () => (await versionOf("project", p.id)) === 2,
      };
    },
  },
  deleteProject: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const p = await newProject();
      return {
        operation: "DeleteProject",
        input: { id: p.id, version: 1 },
        happened: async () => (await versionOf("project", p.id)) === null,
      };
    },
  },
  restoreProject: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const p = await newProject();
      await asOwner("DeleteProject", { id: p.id, version: 1 });
      return {
        operation: "RestoreProject",
        input: { id: p.id, version: 2 },
        happened: async () => (await versionOf("project", p.id)) === 3,
      };
    },
  },
  createItem: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const title = unique("created item");
      return {
        operation: "NewItem",
        input: { projectId, title },
        happened: async () =>
          (await app.graphql(op("Items"), { token: ownerToken, variables: { filter: { search: title } } })).data
            ?.itemsConnection.totalCount === 1,
      };
    },
  },
  updateItem: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const i = await newItem();
      return {
        operation: "UpdateItem",
        input: { id: i.id, version: 1, status: "DONE" },
        happened: async () => (await versionOf("item", i.id)) === 2,
      };
    },
  },
  deleteItem: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const i = await newItem();
      return {
        operation: "DeleteItem",
        input: { id: i.id, version: 1 },
        happened: async () => (await versionOf("item", i.id)) === null,
      };
    },
  },
  restoreItem: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const i = await newItem();
      await asOwner("DeleteItem", { id: i.id, version: 1 });
      return {
        operation: "RestoreItem",
        input: { id: i.id, version: 2 },
        happened: async () => (await versionOf("item", i.id)) === 3,
      };
    },
  },
  assignItem: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const i = await newItem();
      const me = dataOf(await app.graphql(`{ me { id } }`, { token: ownerToken })).me.id;
      return {
        operation: "AssignItem",
        input: { id: i.id, version: 1, assigneeId: me },
        happened: async () => (await versionOf("item", i.id)) === 2,
      };
    },
  },
  setItemDependencies: {
    allowed: ["MEMBER", "ADMIN", "OWNER"],
    attempt: async () => {
      const [a, b] = [await newItem(), await newItem()];
      return {
        operation: "SetItemDependencies",
        input: { id: a.id, version: 1, dependsOnIds: [b.id] },
        happened: async () => (await versionOf("item", a.id)) === 2,
      };
    },
  },
  addMember: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const user = await app.createUser();
      return {
        operation: "AddMember",
        input: { email: user.email, role: "VIEWER" },
        happened: async () => (await roleOf(user.id)) === "VIEWER",
      };
    },
  },
  changeRole: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const user = await app.createUser([[org, "MEMBER"]]);
      return {
        operation: "ChangeRole",
        input: { userId: user.id, role: "VIEWER" },
        happened: async () => (await roleOf(user.id)) === "VIEWER",
      };
    },
  },
  removeMember: {
    allowed: ["ADMIN", "OWNER"],
    attempt: async () => {
      const user = await app.createUser([[org, "MEMBER"]]);
      return {
        operation: "RemoveMember",
        input: { userId: user.id },
        happened: async () => (await roleOf(user.id)) === null,
      };
    },
  },
  updateOrganization: {
    allowed: ["OWNER"],
    attempt: async () => {
      const name = unique("Renamed org");
      return {
        operation: "UpdateOrganization",
        input: { name },
        happened: async () =>
          (await app.central.organization.findUniqueOrThrow({ where: { id: org.id } })).name === name,
      };
    },
  },
};

beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("matrix");
  for (const role of ROLES) {
    const user = await app.createUser([[org, role]]);
    tokens[role] = await app.token(user.id, org.id);
  }
  ownerToken = tokens.OWNER;
  projectId = (await newProject()).id;
});
afterAll(() => app?.close());

describe.each(ROLES)("%s", (role) => {
  it.each(Object.keys(MUTATIONS))(`%s`, async (mutation) => {
    const { allowed, attempt } = MUTATIONS[mutation]!;
    const { operation, input, happened } = await attempt();
    const result = await app.graphql<any, any>(op(operation), { token: tokens[role], variables: { input } });
    if (allowed.includes(role)) {
      dataOf(result);
      expect(await happened()).toBe(true);
    } else {
      expect(errorOf(result).code).toBe("FORBIDDEN");
      expect(result.status).toBe(403);
      expect(await happened()).toBe(false);
    }
  });

  it("reads projects, items, members and the organization; deleted rows only as an admin", async () => {
    const reads = await app.graphql(
      `{ currentOrganization { id } projectsConnection { totalCount } itemsConnection { totalCount } membersConnection { edges { cursor } } }`,
      { token: tokens[role] },
    );
    expect(dataOf(reads).currentOrganization.id).toBe(org.id);
    for (const operation of ["Projects", "Items"] as const) {
      const deleted = await app.graphql<any, any>(op(operation), {
        token: tokens[role],
        variables: { includeDeleted: true },
      });
      if (role === "ADMIN" || role === "OWNER") dataOf(deleted);
      else expect(errorOf(deleted).code).toBe("FORBIDDEN");
    }
  });
});
