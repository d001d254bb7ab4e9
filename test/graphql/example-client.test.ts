// examples/client.ts, the documented frontend-style client, run against the in-process server
// (its fetch is the server's yoga.fetch): sign up, verify the address (the token read from
// the mail outbox), log in, create an organization, a project and items, then page through the items.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExample } from "../../examples/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { verificationTokenFor } from "../helpers/mail.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("examples/client.ts", () => {
  it(
    "signs up, creates an organization, a project and items, and pages through them",
    { timeout: 60_000 },
    async () => {
      const lines: string[] = [];
      const slug = app.slugFor("example");
      const result = await runExample("http://test/graphql", {
        fetch: app.yoga.fetch as typeof fetch,
        slug,
        log: (line) => lines.push(line),
        verificationToken: (email) => verificationTokenFor(app, email),
      });

      expect(result.organization.slug).toBe(slug);
      expect(result.titles).toEqual([
        "Hosting contract ends in May",
        "Designs signed off",
        "Pick a CMS",
        "Content freeze",
        "Go-live checklist",
      ]);
      expect(result.pages).toBe(3); // 5 items, 2 per page
      expect(lines[0]).toBe(`signed up as ${result.email}`);

      // What the client wrote is in the organization it created, and the user owns it.
      const org = await app.central.organization.findUniqueOrThrow({ where: { slug } });
      const user = await app.central.user.findUniqueOrThrow({ where: { email: result.email } });
      expect(
        await app.central.membership.findUnique({ where: { userId_orgId: { userId: user.id, orgId: org.id } } }),
      ).toMatchObject({ role: "OWNER" });
    },
  );
});
