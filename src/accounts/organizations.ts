// Organizations as their members see them: the ones a user belongs to, creating one (which
// provisions its database before answering) and renaming one.
import type { CentralDb, Role, Tier } from "../data/central-client.ts";
import { notifyCentral } from "../data/central-notifications.ts";
import { appError, badUserInput } from "../errors.ts";
import { provisionOrganization, ProvisionInputError, type ProvisionDeps } from "../lifecycle/provision.ts";
import type { RecordChange } from "./members.ts";
import type { Caller, IssueSession, Session } from "./sessions.ts";
import type { EmailVerification } from "./email-verification.ts";
import { HostNameInputError, subdomainHost } from "./host-names.ts";

const ORG_SUMMARY = { id: true, slug: true, name: true, tier: true } as const;

/** An organization as one of its members sees it: what it is, and the member's role there. */
export interface OrgMembership {
  id: string;
  slug: string;
  name: string;
  tier: Tier;
  role: Role;
}

export interface OrganizationsDeps {
  central: CentralDb;
  lifecycle: ProvisionDeps;
  issue: IssueSession;
  verification: EmailVerification;
  /** ORG_HOST_SUFFIX: organizations may take `<subdomain>.<suffix>` at creation. */
  hostSuffix?: string;
}

export function createOrganizations({ central, lifecycle, issue, verification, hostSuffix }: OrganizationsDeps) {
  return {
    /** The organizations `userId` belongs to (not deleted), by name, with the user's role in each. */
    async organizationsOf(userId: string): Promise<OrgMembership[]> {
      const memberships = await central.membership.findMany({
        where: { userId, org: { state: { not: "DELETED" } } },
        select: { role: true, org: { select: ORG_SUMMARY } },
        orderBy: [{ org: { name: "asc" } }, { orgId: "asc" }],
      });
      return memberships.map(({ role, org }) => ({ ...org, role }));
    },

    /**
     * Provisions the organization (database, migrations, READY) with the caller as its owner
     * and returns a token scoped to it (the caller's session then acts for it). The owner is
     * recorded with the organization, in one transaction, so a provisioning that fails
     * part-way can be finished by the same call again; anyone else is told the slug is taken (as is a second concurrent request).
     */
    async createOrganization(
      caller: Caller,
      request: { name: string; slug: string; subdomain?: string | null },
    ): Promise<Session> {
      const userId = caller.id;
      const user = await central.user.findUnique({ where: { id: userId }, select: { canCreateOrgs: true } });
      if (!user?.canCreateOrgs) throw appError("FORBIDDEN", "this account may not create organizations");
      await verification.assertVerified(central, userId, "your");
      let subdomainHosts: string[] | undefined;
      try {
        if (request.subdomain) subdomainHosts = [subdomainHost(request.subdomain, hostSuffix)];
      } catch (error) {
        if (error instanceof HostNameInputError) throw badUserInput("subdomain", error.message);
        throw error;
      }
      let org;
      try {
        org = await provisionOrganization(lifecycle, {
          slug: request.slug,
          name: request.name,
          ownerId: userId,
          subdomainHosts,
        });
      } catch (error) {
        if (error instanceof ProvisionInputError)
          throw appError("BAD_USER_INPUT", error.message, { field: error.field });
        throw error;
      }
      // The host names are recorded with the organization; marking it READY announces org-changed,
      // which is how every process's host directory (src/tenancy/org-hosts.ts) learns them.
      return issue(caller, org.id);
    },

    /**
     * `record` appends the audit record inside the transaction: a record that fails rolls the
     * rename back. The rename announces org-changed like every change of the organization's row.
     */
    async renameOrganization(orgId: string, name: string, record?: RecordChange): Promise<void> {
      const event = { type: "org-changed", orgId } as const;
      await central.$transaction(async (tx) => {
        const before = await tx.organization.findUniqueOrThrow({ where: { id: orgId }, select: { name: true } });
        await tx.organization.update({ where: { id: orgId }, data: { name }, select: { id: true } });
        if (record && before.name !== name)
          await record({
            action: "organization.renamed",
            targetType: "organization",
            targetId: orgId,
            changes: [{ field: "name", old: before.name, new: name }],
          });
        await notifyCentral(tx, event);
      });
      lifecycle.announce?.(event);
    },
  };
}

export type Organizations = ReturnType<typeof createOrganizations>;
