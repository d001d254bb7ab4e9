// createOrganization provisions the organization's database before it answers and makes the
// caller its owner; only users allowed to own organizations may; a slug is taken once, also
// when two requests race for it. updateOrganization renames (owners only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";

let app: TestApp;

const createOrganization = (token: string, input: { name: string; slug: string }) =>
  app.graphql(op("CreateOrganization"), { token, variables: { input } });

async function signedUpUser() {
  const user = await app.createUser();
  return { ...user, token: await app.token(user.id) };
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("createOrganization", () => {
  it("provisions the organization, makes the caller its owner and returns a token that acts for it", async () => {
    const user = await signedUpUser();
    const slug = app.slugFor("initech");
    const session = dataOf(await createOrganization(user.token, { name: "Initech", slug })).createOrganization;
    expect(session.organization).toMatchObject({ slug, name: "Initech", viewerRole: "OWNER" });
    const org = await app.central.organization.findUniqueOrThrow({ where: { slug } });
    expect(org.state).toBe("READY");
    // Its database is there: the new token reads and writes it at once.
    const project = dataOf(
      await app.graphql(op("NewProject"), { token: session.token, variables: { input: { name: "TPS reports" } } }),
    );
    expect(project.createProject.createdBy!.id).toBe(user.id);
    const current = dataOf(await app.graphql(`{ currentOrganization { id viewerRole } }`, { token: session.token }));
    expect(current.currentOrganization).toEqual({ id: org.id, viewerRole: "OWNER" });
  });

  it("is refused to users who may not own organizations, creating nothing", async () => {
    const user = await signedUpUser();
    await app.central.user.update({ where: { id: user.id }, data: { canCreateOrgs: false } });
    const slug = app.slugFor("forbidden");
    expect(errorOf(await createOrganization(user.token, { name: "Nope", slug })).code).toBe("FORBIDDEN");
    expect(await app.central.organization.findUnique({ where: { slug } })).toBeNull();
  });

  it("names the field of invalid input: slug rules from provisioning, name rules from the schema", async () => {
    const user = await signedUpUser();
    for (const slug of ["No Spaces", "x", "admin", "ends-with-"]) {
      expect(errorOf(await createOrganization(user.token, { name: "Bad slug", slug }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "slug",
      });
    }
    expect(errorOf(await createOrganization(user.token, { name: " ", slug: app.slugFor("noname") }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "name",
    });
    expect(await app.central.organization.count({ where: { name: "Bad slug" } })).toBe(0);
  });

  it("refuses a slug that is taken, without touching that organization", async () => {
    const [first, second] = [await signedUpUser(), await signedUpUser()];
    const slug = app.slugFor("taken");
    dataOf(await createOrganization(first.token, { name: "First", slug }));
    expect(errorOf(await createOrganization(second.token, { name: "Second", slug }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "slug",
    });
    const org = await app.central.organization.findUniqueOrThrow({ where: { slug }, include: { memberships: true } });
    expect(org.name).toBe("First");
    expect(org.memberships.map((m) => [m.userId, m.role])).toEqual([[first.id, "OWNER"]]);
  });

  it("of concurrent requests for one slug, exactly one creates it and only its caller owns it", async () => {
    const users = await Promise.all([signedUpUser(), signedUpUser(), signedUpUser()]);
    const slug = app.slugFor("race");
    const results = await Promise.all(users.map((u, i) => createOrganization(u.token, { name: `Racer ${i}`, slug })));
    const winners = results.flatMap((r, i) => (r.errors ? [] : [i]));
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.errors))
      expect(errorOf(r)).toMatchObject({ code: "BAD_USER_INPUT", field: "slug" });
    const org = await app.central.organization.findUniqueOrThrow({ where: { slug }, include: { memberships: true } });
    expect(org.memberships.map((m) => [m.userId, m.role])).toEqual([[users[winners[0]!]!.id, "OWNER"]]);
  });
});

describe("updateOrganization", () => {
  it("renames the organization for its owner", async () => {
    const user = await signedUpUser();
    const session = dataOf(
      await createOrganization(user.token, { name: "Old name", slug: app.slugFor("rename") }),
    ).createOrganization;
    const renamed = dataOf(
      await app.graphql(op("UpdateOrganization"), { token: session.token, variables: { input: { name: "New name" } } }),
    );
    expect(renamed.updateOrganization.name).toBe("New name");
    const mine = dataOf(await app.graphql(op("MyOrganizations"), { token: session.token })).myOrganizations;
    expect(mine).toEqual([expect.objectContaining({ id: session.organization!.id, name: "New name" })]);
  });
});
