// Demo data for a first `npm start` (start-up wiring, like main.ts): two organizations in their own databases, three users
// (one in both organizations), a few projects and items. Idempotent: a second start finds
// the organizations READY and the rows present, and adds nothing.
import type { App } from "./app.ts";
import { hashPassword } from "./accounts/passwords.ts";
import { notifyCentral } from "./data/central-notifications.ts";
import { resolvePlacement } from "./data/placement.ts";
import { loadDemoPasswords } from "./demo-passwords.ts";
import { provisionOrganization } from "./lifecycle/provision.ts";

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  /** For `logIn`; set again at every start, so the printed one always works. */
  password: string;
  orgs: Array<{ id: string; slug: string; role: string }>;
}

const ORGS = [
  {
    slug: "acme",
    name: "Acme Rockets",
    tier: "DATABASE",
    projects: [
      { name: "Launch pad", items: ["Fuel supplier may slip", "Decide on launch window"] },
      { name: "Safety review", items: ["Pressure test the tanks"] },
    ],
  },
  {
    slug: "globex",
    name: "Globex Corporation",
    tier: "DATABASE",
    projects: [{ name: "Volcano lair", items: ["Permit for the monorail", "Hire henchmen"] }],
  },
  {
    // A small organization in the SHARED tier: shared tables under row-level security.
    slug: "initech",
    name: "Initech",
    tier: "SHARED",
    projects: [{ name: "TPS reports", items: ["New cover sheets"] }],
  },
] as const;

const USERS = [
  { email: "alice@acme.test", name: "Alice (Acme owner)", roles: { acme: "OWNER" } },
  { email: "bob@globex.test", name: "Bob (Globex owner)", roles: { globex: "OWNER" } },
  { email: "carol@example.test", name: "Carol (member of both)", roles: { acme: "MEMBER", globex: "VIEWER" } },
  { email: "dana@initech.test", name: "Dana (Initech owner, SHARED tier)", roles: { initech: "OWNER" } },
] as const;

export async function seedDemo(app: App, onStep?: (line: string) => void): Promise<DemoUser[]> {
  const orgs = new Map<string, { id: string; slug: string }>();
  for (const spec of ORGS) {
    const org = await provisionOrganization(
      { ...app.lifecycle, onStep: (step) => onStep?.(`${spec.slug}: ${step}`) },
      { slug: spec.slug, name: spec.name, tier: spec.tier },
    );
    orgs.set(spec.slug, org);
  }
  const users: DemoUser[] = [];
  const passwords = await loadDemoPasswords(
    app.config.dataDir,
    USERS.map((u) => u.email),
  );
  for (const spec of USERS) {
    const password = passwords[spec.email]!;
    const passwordHash = await hashPassword(password);
    const user = await app.central.user.upsert({
      where: { email: spec.email },
      // Demo addresses receive no mail: they count as verified.
      update: { passwordHash, emailVerifiedAt: new Date() },
      create: { email: spec.email, name: spec.name, passwordHash, emailVerifiedAt: new Date() },
    });
    const memberships: DemoUser["orgs"] = [];
    for (const [slug, role] of Object.entries(spec.roles)) {
      const org = orgs.get(slug)!;
      const event = { type: "membership-changed", orgId: org.id, userId: user.id } as const;
      await app.central.$transaction([
        app.central.membership.upsert({
          where: { userId_orgId: { userId: user.id, orgId: org.id } },
          update: {},
          create: { userId: user.id, orgId: org.id, role },
        }),
        notifyCentral(app.central, event),
      ]);
      app.centralEvents.deliverLocally(event);
      memberships.push({ id: org.id, slug, role });
    }
    users.push({ id: user.id, email: user.email, name: user.name, password, orgs: memberships });
  }
  for (const spec of ORGS) {
    const org = await app.central.organization.findUniqueOrThrow({ where: { slug: spec.slug } });
    const owner = users.find((u) => u.orgs.some((o) => o.slug === spec.slug && o.role === "OWNER"))!;
    const lease = await app.orgClients.acquire(resolvePlacement(org, app.servers));
    try {
      if ((await lease.db.project.count({ where: { orgId: org.id } })) > 0) continue;
      for (const project of spec.projects) {
        await lease.db.project.create({
          data: {
            orgId: org.id,
            name: project.name,
            createdById: owner.id,
            items: { create: project.items.map((title) => ({ orgId: org.id, title, createdById: owner.id })) },
          },
        });
      }
      onStep?.(`${spec.slug}: demo projects created`);
    } finally {
      lease.release();
    }
  }
  return users;
}
