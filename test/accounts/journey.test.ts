// The whole way in, through GraphQL only: Alice signs up, confirms her address (the link in
// the mail outbox), logs in and creates an organization, adds Bob (who signed up himself and
// may be added once he confirmed his address too); Bob logs in, switches to Alice's
// organization and reads its items. Alice removes Bob: his very next request is FORBIDDEN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { newProject } from "../helpers/fixtures.ts";
import { op } from "../helpers/operations.ts";
import { dataOf, errorOf } from "../helpers/results.ts";
import { verificationTokenFor } from "../helpers/mail.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("from sign-up to reading another member's items", () => {
  it("signUp -> verifyEmail -> logIn -> createOrganization -> addMember -> logIn -> switchOrganization -> items; removal is immediate", async () => {
    const suffix = crypto.randomUUID().slice(0, 8);
    const alice = { email: `alice-${suffix}@example.test`, password: "alice's long password" };
    const bob = { email: `bob-${suffix}@example.test`, password: "bob's long password" };

    dataOf(await app.graphql(op("SignUp"), { variables: { input: { ...alice, name: "Alice" } } }));
    const aliceLogIn = dataOf(await app.graphql(op("LogIn"), { variables: { input: alice } })).logIn;
    const slug = app.slugFor("journey");
    const createOrg = () =>
      app.graphql(op("CreateOrganization"), {
        token: aliceLogIn.token,
        variables: { input: { name: "Journey Inc", slug } },
      });
    // Logged in, but not verified yet: no organization.
    expect(errorOf(await createOrg())).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    const aliceMailToken = await verificationTokenFor(app, alice.email);
    expect(dataOf(await app.graphql(op("VerifyEmail"), { variables: { token: aliceMailToken } })).verifyEmail).toBe(
      true,
    );
    const created = dataOf(await createOrg()).createOrganization;
    const orgId = created.organization!.id;
    const aliceToken = created.token;

    const project = await newProject(app, aliceToken, "Launch");
    const item = dataOf(
      await app.graphql(op("NewItem"), {
        token: aliceToken,
        variables: { input: { projectId: project.id, kind: "RISK", title: "Weather" } },
      }),
    ).createItem;

    dataOf(await app.graphql(op("SignUp"), { variables: { input: bob } }));
    const addBob = () =>
      app.graphql(op("AddMember"), { token: aliceToken, variables: { input: { email: bob.email, role: "MEMBER" } } });
    expect(errorOf(await addBob())).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    dataOf(await app.graphql(op("VerifyEmail"), { variables: { token: await verificationTokenFor(app, bob.email) } }));
    const added = dataOf(await addBob()).addMember;
    expect(added.role).toBe("MEMBER");

    const bobSession = dataOf(await app.graphql(op("LogIn"), { variables: { input: bob } })).logIn;
    expect(bobSession.organizations).toEqual([{ id: orgId, slug, viewerRole: "MEMBER" }]);
    const switched = dataOf(
      await app.graphql(op("SwitchOrganization"), { token: bobSession.token, variables: { orgId } }),
    ).switchOrganization;
    expect(switched.organization).toMatchObject({ id: orgId, viewerRole: "MEMBER" });

    const items = dataOf(await app.graphql(op("Items"), { token: switched.token })).itemsConnection;
    expect(items.edges.map((e: any) => [e.node.id, e.node.kind, e.node.title, e.node.createdBy.id])).toEqual([
      [item.id, "RISK", "Weather", aliceLogIn.user.id],
    ]);

    dataOf(
      await app.graphql(op("RemoveMember"), { token: aliceToken, variables: { input: { userId: switched.user.id } } }),
    );
    const next = await app.graphql(op("Items"), { token: switched.token });
    expect(next.status).toBe(403);
    expect(errorOf(next).code).toBe("FORBIDDEN");
    expect(next.data).toBeUndefined();
    // Naming the organization in the header instead of the token changes nothing.
    expect(errorOf(await app.graphql(op("Items"), { token: bobSession.token, orgId })).code).toBe("FORBIDDEN");
    expect(
      errorOf(await app.graphql(op("SwitchOrganization"), { token: bobSession.token, variables: { orgId } })).code,
    ).toBe("FORBIDDEN");
  });
});
