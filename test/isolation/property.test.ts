// Property: random sequences of operations by random users of random organizations, across
// every tier and both servers, always give exactly what an in-memory model of "what this
// user may see and do" says. The model knows nothing about tiers: isolation must look the
// same everywhere.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization, Role } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
const orgs: Organization[] = [];
const users: Array<{ id: string; token: string; roles: Map<string, Role> }> = [];

// Who belongs where: every organization has several members, most users several organizations.
const MEMBERSHIPS: Array<Array<[number, Role]>> = [
  [
    [0, "OWNER"],
    [2, "MEMBER"],
    [4, "VIEWER"],
  ],
  [
    [1, "ADMIN"],
    [3, "VIEWER"],
  ],
  [
    [2, "OWNER"],
    [3, "OWNER"],
    [4, "MEMBER"],
  ],
  [
    [4, "ADMIN"],
    [0, "VIEWER"],
    [1, "MEMBER"],
  ],
];

interface ModelProject {
  orgId: string;
  name: string;
  version: number;
}
const model = {
  projects: new Map<string, ModelProject>(),
  items: new Map<string, { orgId: string; projectId: string }>(),
};
let counter = 0;

beforeAll(async () => {
  app = await startTestApp();
  const placements = [
    ["DATABASE", "main"],
    ["SCHEMA", "second"],
    ["SHARED", "main"],
    ["SHARED", "main"],
    ["SHARED", "second"],
  ] as const;
  for (const [i, [tier, server]] of placements.entries())
    orgs.push(await app.provisionOrg(`prop-${i}`, { tier, server }));
  for (const memberships of MEMBERSHIPS) {
    const user = await app.createUser(memberships.map(([o, role]) => [orgs[o]!, role] as const));
    users.push({
      id: user.id,
      token: await app.token(user.id),
      roles: new Map(memberships.map(([o, role]) => [orgs[o]!.id, role])),
    });
  }
  // Every organization starts with a project, so reads and item writes have targets everywhere.
  for (const [o, org] of orgs.entries()) {
    const admin = users.find((u) => canManageProjects(u.roles.get(org.id)))!;
    const r = await app.graphql(`mutation($n: String!) { createProject(input: { name: $n }) { id version } }`, {
      token: admin.token,
      orgId: org.id,
      variables: { n: `seed ${o}` },
    });
    model.projects.set(r.data.createProject.id, {
      orgId: org.id,
      name: `seed ${o}`,
      version: r.data.createProject.version,
    });
  }
});
afterAll(() => app?.close());

const canManageProjects = (role?: Role) => role === "OWNER" || role === "ADMIN";
const canWriteItems = (role?: Role) => role !== undefined && role !== "VIEWER";
const pick = <T>(values: T[], n: number): T | undefined => (values.length ? values[n % values.length] : undefined);

type Command =
  | { op: "createProject" | "listProjects" | "listItems"; user: number; org: number }
  | { op: "createItem" | "readProject" | "readItem" | "renameProject"; user: number; org: number; target: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constantFrom("createProject" as const, "listProjects" as const, "listItems" as const),
    user: fc.nat(3),
    org: fc.nat(4),
  }),
  fc.record({
    op: fc.constantFrom("createItem" as const, "readProject" as const, "readItem" as const, "renameProject" as const),
    user: fc.nat(3),
    org: fc.nat(4),
    target: fc.nat(),
  }),
);

async function run(cmd: Command): Promise<void> {
  const user = users[cmd.user]!;
  const org = orgs[cmd.org]!;
  const role = user.roles.get(org.id);
  const call = (query: string, variables?: Record<string, unknown>) =>
    app.graphql(query, { token: user.token, orgId: org.id, variables });
  const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code ?? "OK";
  const projectIds = [...model.projects.keys()];
  const itemIds = [...model.items.keys()];
  const where = `${cmd.op} by user ${cmd.user} in org ${cmd.org}`;

  switch (cmd.op) {
    case "createProject": {
      const name = `p${counter++}`;
      const r = await call(`mutation($n: String!) { createProject(input: { name: $n }) { id version } }`, { n: name });
      expect(code(r), where).toBe(!role ? "FORBIDDEN" : canManageProjects(role) ? "OK" : "FORBIDDEN");
      if (code(r) === "OK")
        model.projects.set(r.data.createProject.id, { orgId: org.id, name, version: r.data.createProject.version });
      return;
    }
    case "createItem": {
      const projectId = pick(projectIds, cmd.target) ?? randomUUID();
      const r = await call(
        `mutation($p: ID!) { createItem(input: { projectId: $p, title: "t" }) { id project { id } } }`,
        { p: projectId },
      );
      const expected =
        !role || !canWriteItems(role)
          ? "FORBIDDEN"
          : model.projects.get(projectId)?.orgId === org.id
            ? "OK"
            : "NOT_FOUND";
      expect(code(r), where).toBe(expected);
      if (expected === "OK") model.items.set(r.data.createItem.id, { orgId: org.id, projectId });
      return;
    }
    case "listProjects": {
      const r = await call(`{ projectsConnection(first: 100) { edges { node { id } } } }`);
      if (!role) return void expect(code(r), where).toBe("FORBIDDEN");
      const seen = r.data.projectsConnection.edges.map((e: { node: { id: string } }) => e.node.id).sort();
      expect(seen, where).toEqual(projectIds.filter((id) => model.projects.get(id)!.orgId === org.id).sort());
      return;
    }
    case "listItems": {
      const r = await call(`{ itemsConnection(first: 100) { edges { node { id } } } }`);
      if (!role) return void expect(code(r), where).toBe("FORBIDDEN");
      const seen = r.data.itemsConnection.edges.map((e: { node: { id: string } }) => e.node.id).sort();
      expect(seen, where).toEqual(itemIds.filter((id) => model.items.get(id)!.orgId === org.id).sort());
      return;
    }
    case "readProject": {
      const id = pick(projectIds, cmd.target) ?? randomUUID();
      const r = await call(`query($id: ID!) { project(id: $id) { id name } }`, { id });
      if (!role) return void expect(code(r), where).toBe("FORBIDDEN");
      const mine = model.projects.get(id)?.orgId === org.id;
      expect(r.data.project, where).toEqual(mine ? { id, name: model.projects.get(id)!.name } : null);
      return;
    }
    case "readItem": {
      const id = pick(itemIds, cmd.target) ?? randomUUID();
      const r = await call(`query($id: ID!) { item(id: $id) { id project { id } } }`, { id });
      if (!role) return void expect(code(r), where).toBe("FORBIDDEN");
      const item = model.items.get(id);
      expect(r.data.item, where).toEqual(item?.orgId === org.id ? { id, project: { id: item.projectId } } : null);
      return;
    }
    case "renameProject": {
      const id = pick(projectIds, cmd.target) ?? randomUUID();
      const project = model.projects.get(id);
      const name = `r${counter++}`;
      const r = await call(
        `mutation($id: ID!, $v: Int!, $n: String!) { updateProject(input: { id: $id, version: $v, name: $n }) { version } }`,
        {
          id,
          v: project?.version ?? 1,
          n: name,
        },
      );
      const expected = !role || !canManageProjects(role) ? "FORBIDDEN" : project?.orgId === org.id ? "OK" : "NOT_FOUND";
      expect(code(r), where).toBe(expected);
      if (expected === "OK") model.projects.set(id, { ...project!, name, version: r.data.updateProject.version });
      return;
    }
  }
}

describe("isolation as a property", () => {
  it("every result matches the model of what that user may see, in every tier", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 30 }), async (commands) => {
        for (const cmd of commands) await run(cmd);
      }),
      // The databases keep their rows between runs, and so does the model; shrinking would replay on changed state.
      { numRuns: 15, endOnFailure: true },
    );
  });
});
