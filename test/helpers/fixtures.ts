// Set-ups many tests share: a member of an organization with a token for it, and a project
// created through the API (as a client would), so each test file states only what differs.
import type { Organization, Role } from "../../src/data/central-client.ts";
import type { TestApp } from "./app.ts";
import { op } from "./operations.ts";
import { dataOf } from "./results.ts";

export interface Member {
  id: string;
  email: string;
  /** A token acting for the organization. */
  token: string;
}

export async function memberOf(app: TestApp, org: Organization, role: Role): Promise<Member> {
  const user = await app.createUser([[org, role]]);
  return { ...user, token: await app.token(user.id, org.id) };
}

/** Creates a project with `token` (an admin's or owner's) and returns it as the API does. */
export async function newProject(
  app: TestApp,
  token: string,
  name: string,
): Promise<{ id: string; name: string; version: number }> {
  return dataOf(await app.graphql(op("NewProject"), { token, variables: { input: { name } } })).createProject;
}
