// Host names of the request's organization, for its owners: the subdomain given at creation
// and custom domains, which select the organization once a DNS TXT record proves them
// (src/accounts/org-host-names.ts).
import { z } from "zod";
import type { OrgHostName } from "../../accounts/org-host-names.ts";
import { builder } from "../builder.ts";

const HostNameKind = builder.enumType("HostNameKind", {
  values: { SUBDOMAIN: { description: "<subdomain>.<ORG_HOST_SUFFIX>, given at creation." }, CUSTOM: {} } as const,
});

const HostNameRef = builder.objectRef<OrgHostName>("HostName").implement({
  description: "A host name that selects the organization (once verified).",
  fields: (t) => ({
    host: t.exposeString("host"),
    kind: t.field({ type: HostNameKind, resolve: (h) => h.kind }),
    verified: t.exposeBoolean("verified", { description: "Requests to this host select the organization." }),
    txtRecordName: t.exposeString("txtRecordName", {
      nullable: true,
      description: "For an unverified custom domain: publish a TXT record of this name...",
    }),
    txtRecordValue: t.exposeString("txtRecordValue", { nullable: true, description: "...with this value." }),
  }),
});

builder.queryField("hostNames", (t) =>
  t.withAuth({ role: "OWNER" }).field({
    type: [HostNameRef],
    description: "The organization's host names and custom domains waiting for verification. Owners only.",
    resolve: (_root, _args, ctx) => ctx.accounts.hostNames.list(ctx.org.id),
  }),
);

builder.mutationFields((t) => ({
  addCustomDomain: t.withAuth({ role: "OWNER" }).field({
    type: HostNameRef,
    description: "Starts verifying a domain: the answer names the TXT record to publish. Owners only.",
    args: { domain: t.arg.string({ required: true, validate: z.string().max(300, "is too long") }) },
    resolve: (_root, { domain }, ctx) => ctx.accounts.hostNames.addCustomDomain(ctx.org.id, domain),
  }),
  verifyCustomDomain: t.withAuth({ role: "OWNER" }).field({
    type: HostNameRef,
    description: "Looks up the TXT record; once found, requests to the domain select this organization. Owners only.",
    args: { domain: t.arg.string({ required: true, validate: z.string().max(300, "is too long") }) },
    resolve: (_root, { domain }, ctx) => ctx.accounts.hostNames.verifyCustomDomain(ctx.org.id, domain),
  }),
  removeHostName: t.withAuth({ role: "OWNER" }).boolean({
    description: "Stops a host name (or a pending domain) from selecting this organization. Owners only.",
    args: { host: t.arg.string({ required: true, validate: z.string().max(300, "is too long") }) },
    resolve: (_root, { host }, ctx) => ctx.accounts.hostNames.remove(ctx.org.id, host),
  }),
}));
