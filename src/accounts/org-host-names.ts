// The host names of one organization, for its owners: list, add a custom domain (a claim
// with a token), verify it (a DNS TXT record at _tenantgraph.<domain> carrying the token,
// looked up through an injectable resolver so tests need no network) and remove one. The
// first organization to prove a domain owns it (org_hosts.host is unique); claims reserve
// nothing. Each change announces org-changed, in its transaction, so every process's host
// cache (src/tenancy/org-hosts.ts) forgets what it knew about the organization.
import { randomBytes } from "node:crypto";
import { resolveTxt } from "node:dns/promises";
import type { CentralDb } from "../data/central-client.ts";
import { notifyCentral } from "../data/central-notifications.ts";
import { appError, badUserInput, isUniqueViolation } from "../errors.ts";
import { customDomainHost, HostNameInputError } from "./host-names.ts";

/** Like dns.promises.resolveTxt: the TXT records of `name`, each a list of strings. */
export type TxtResolver = (name: string) => Promise<string[][]>;

export const defaultTxtResolver: TxtResolver = resolveTxt;

export interface OrgHostName {
  host: string;
  kind: "SUBDOMAIN" | "CUSTOM";
  verified: boolean;
  /** For an unverified custom domain: the TXT record to publish. */
  txtRecordName: string | null;
  txtRecordValue: string | null;
}

export const TXT_PREFIX = "_tenantgraph";

function pending(host: string, token: string): OrgHostName {
  return {
    host,
    kind: "CUSTOM",
    verified: false,
    txtRecordName: `${TXT_PREFIX}.${host}`,
    txtRecordValue: `tenantgraph-verification=${token}`,
  };
}

function owned(row: { host: string; kind: "SUBDOMAIN" | "CUSTOM" }): OrgHostName {
  return { host: row.host, kind: row.kind, verified: true, txtRecordName: null, txtRecordValue: null };
}

function checkedDomain(domain: string, suffix: string | undefined): string {
  try {
    return customDomainHost(domain, suffix);
  } catch (error) {
    if (error instanceof HostNameInputError) throw badUserInput("domain", error.message);
    throw error;
  }
}

export function createOrgHostNames(central: CentralDb, suffix: string | undefined, resolver: TxtResolver) {
  async function txtValues(name: string): Promise<string[]> {
    try {
      return (await resolver(name)).map((chunks) => chunks.join(""));
    } catch {
      return []; // NXDOMAIN, no data, timeout: the record is not there (yet)
    }
  }

  return {
    async list(orgId: string): Promise<OrgHostName[]> {
      const [hosts, claims] = await Promise.all([
        central.orgHost.findMany({ where: { orgId }, orderBy: { host: "asc" } }),
        central.orgHostClaim.findMany({ where: { orgId }, orderBy: { host: "asc" } }),
      ]);
      return [...hosts.map(owned), ...claims.map((c) => pending(c.host, c.token))];
    },

    /** Records the claim (again: same token) and says which TXT record proves it. */
    async addCustomDomain(orgId: string, domain: string): Promise<OrgHostName> {
      const host = checkedDomain(domain, suffix);
      const taken = await central.orgHost.findUnique({ where: { host }, select: { orgId: true, kind: true } });
      if (taken?.orgId === orgId) return owned({ host, kind: taken.kind });
      if (taken) throw appError("CONFLICT", "this domain belongs to another organization", { field: "domain" });
      const claim = await central.orgHostClaim.upsert({
        where: { orgId_host: { orgId, host } },
        update: {},
        create: { orgId, host, token: randomBytes(16).toString("hex") },
      });
      return pending(host, claim.token);
    },

    /** Checks the TXT record; on success the domain selects this organization from now on. */
    async verifyCustomDomain(orgId: string, domain: string): Promise<OrgHostName> {
      const host = checkedDomain(domain, suffix);
      const claim = await central.orgHostClaim.findUnique({ where: { orgId_host: { orgId, host } } });
      if (!claim) {
        const mine = await central.orgHost.findFirst({ where: { host, orgId } });
        if (mine) return owned(mine);
        throw appError("NOT_FOUND", "add the domain first (addCustomDomain)", { field: "domain" });
      }
      const expected = pending(host, claim.token);
      if (!(await txtValues(expected.txtRecordName!)).includes(expected.txtRecordValue!)) {
        throw appError(
          "BAD_USER_INPUT",
          `domain: no TXT record ${expected.txtRecordName} with the value ${expected.txtRecordValue} (yet)`,
          { field: "domain" },
        );
      }
      try {
        return await central.$transaction(async (tx) => {
          const row = await tx.orgHost.create({ data: { host, orgId, kind: "CUSTOM" } });
          await tx.orgHostClaim.deleteMany({ where: { host } });
          await notifyCentral(tx, { type: "org-changed", orgId });
          return owned(row);
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw appError("CONFLICT", "this domain belongs to another organization", { field: "domain" });
        throw error;
      }
    },

    /** Removes a host name or a claim of this organization; false when it had none by that name. */
    async remove(orgId: string, host: string): Promise<boolean> {
      const name = host.trim().toLowerCase().replace(/\.$/, "");
      return central.$transaction(async (tx) => {
        const hosts = await tx.orgHost.deleteMany({ where: { orgId, host: name } });
        const claims = await tx.orgHostClaim.deleteMany({ where: { orgId, host: name } });
        if (hosts.count > 0) await notifyCentral(tx, { type: "org-changed", orgId });
        return hosts.count + claims.count > 0;
      });
    },
  };
}

export type OrgHostNames = ReturnType<typeof createOrgHostNames>;
