// Support access (README "Support access"): an operator acts as a member of one organization
// with a short-lived token that names both (RFC 8693: `sub` is the user, `act.sub` the
// operator). Read-only unless asked for writes; never for a deleted organization or a user
// who is not a member. The start is recorded in the organization's audit log and in the
// central one before the token exists; every request made with it is recorded as well
// (src/http/use-support-access.ts).
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { AuthConfig } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import { withOrgData } from "../lifecycle/org-data.ts";
import { appendOperatorAudit } from "../lifecycle/org-audit.ts";
import { recordAccountEvent } from "./account-audit.ts";
import { SUPPORT_ACCESS_MINUTES } from "./support-access-minutes.ts";
import { normalizeEmail } from "./users.ts";

export { SUPPORT_ACCESS_MINUTES };

export interface SupportAccessRequest {
  slug: string;
  email: string;
  reason: string;
  minutes: number;
  write: boolean;
  /** Who asks (an operator's name or email). */
  operator: string;
}

export interface SupportAccess {
  token: string;
  /** The session id (the token's jti), in every record it leaves. */
  id: string;
  expiresAt: Date;
  org: { id: string; slug: string };
  user: { id: string; email: string };
  write: boolean;
}

export class SupportAccessRefused extends Error {
  override name = "SupportAccessRefused";
}

export interface SupportAccessDeps {
  central: CentralDb;
  servers: Record<string, string>;
  auth: AuthConfig;
}

export async function startSupportAccess(
  deps: SupportAccessDeps,
  request: SupportAccessRequest,
): Promise<SupportAccess> {
  const { minutes, write, operator } = request;
  const reason = request.reason.trim();
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > SUPPORT_ACCESS_MINUTES.max)
    throw new SupportAccessRefused(`--minutes must be 1-${SUPPORT_ACCESS_MINUTES.max}`);
  if (reason.length < 3 || reason.length > 500) throw new SupportAccessRefused("--reason must be 3-500 characters");
  if (!deps.auth.secret)
    throw new SupportAccessRefused("support-access tokens are signed with JWT_SECRET, which is not configured");
  const org = await deps.central.organization.findUnique({ where: { slug: request.slug } });
  if (!org) throw new SupportAccessRefused(`no organization "${request.slug}"`);
  if (org.state === "DELETED") throw new SupportAccessRefused(`organization ${org.slug} is deleted`);
  if (org.state !== "READY") throw new SupportAccessRefused(`organization ${org.slug} is ${org.state.toLowerCase()}`);
  const email = normalizeEmail(request.email);
  const user = await deps.central.user.findUnique({
    where: { email },
    select: { id: true, email: true, memberships: { where: { orgId: org.id }, select: { role: true } } },
  });
  if (!user || user.memberships.length === 0) throw new SupportAccessRefused(`${email} is not a member of ${org.slug}`);

  const id = randomUUID();
  // One clock reading for both claims: the token lives exactly `minutes` (exp - iat), however long the writes below take.
  const issuedAt = Date.now();
  const expiresAt = new Date(issuedAt + minutes * 60_000);
  const details = { session: id, reason, write, minutes, expiresAt: expiresAt.toISOString() };
  // Recorded before the token exists: no token without its records.
  await withOrgData(org, deps.servers, (client) =>
    appendOperatorAudit(client, {
      action: "impersonation.started",
      orgId: org.id,
      operator,
      actorId: user.id,
      impersonator: operator,
      targetType: "user",
      targetId: user.id,
      details,
    }),
  );
  await recordAccountEvent(deps.central, {
    action: "impersonation.started",
    userId: user.id,
    email: user.email,
    orgId: org.id,
    operator,
    details,
  });
  const token = await new SignJWT({
    org: org.id,
    act: { sub: operator },
    scope: write ? "impersonation:read impersonation:write" : "impersonation:read",
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setJti(id)
    .setIssuer(deps.auth.issuer)
    .setAudience(deps.auth.audience)
    .setIssuedAt(Math.floor(issuedAt / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(deps.auth.secret));
  return { token, id, expiresAt, org: { id: org.id, slug: org.slug }, user: { id: user.id, email: user.email }, write };
}
