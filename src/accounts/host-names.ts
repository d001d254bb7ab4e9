// Host names, as organizations own them and as requests name them: lower-case ASCII DNS
// names (internationalized names in their xn-- form), no port, no trailing dot, no IP
// literals, at most 253 characters. Like sql-identifiers.ts: what does not fit is refused
// (null), never repaired, so a hostile Host header can only fall back to "no host".
import { isIP } from "node:net";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_HOST = 253;

/** The host name in canonical form, or null when `raw` is not one (empty, too long, non-ASCII, an IP...). */
export function canonicalHostName(raw: string | null | undefined): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_HOST + 1) return null;
  const host = raw.toLowerCase().replace(/\.$/, "");
  if (host.length === 0 || host.length > MAX_HOST || isIP(host) !== 0) return null;
  const labels = host.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return null; // 10.1, 1.2.3.4.5: numbers, not names
  return host;
}

/**
 * The host a request names in a Host (or X-Forwarded-Host) header value: the port is
 * dropped; of a list (X-Forwarded-Host: a, b) the last entry counts, the one the nearest
 * proxy wrote. Bracketed IPv6 literals and anything else unusual give null.
 */
export function hostOfHeader(value: string | null | undefined): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 1024) return null;
  const last = value.split(",").pop()!.trim();
  const match = /^([^:[\]]+)(?::[0-9]{1,5})?$/.exec(last);
  return match ? canonicalHostName(match[1]) : null;
}

/** Subdomains no organization may take (they name the product itself, or mail and DNS). */
const RESERVED_SUBDOMAINS = new Set([
  "www",
  "api",
  "app",
  "admin",
  "mail",
  "smtp",
  "ftp",
  "ns1",
  "ns2",
  "status",
  "graphql",
]);

export class HostNameInputError extends Error {
  override name = "HostNameInputError";
}

/** `<subdomain>.<suffix>`, checked; throws HostNameInputError with the reason. */
export function subdomainHost(subdomain: string, suffix: string | undefined): string {
  if (!suffix) throw new HostNameInputError("this server has no ORG_HOST_SUFFIX: subdomains are not offered");
  const label = subdomain.trim().toLowerCase();
  if (!LABEL.test(label))
    throw new HostNameInputError("1-63 characters: a-z, 0-9 and '-', not starting or ending with '-'");
  if (RESERVED_SUBDOMAINS.has(label)) throw new HostNameInputError(`"${label}" is reserved`);
  const host = canonicalHostName(`${label}.${suffix}`);
  if (!host) throw new HostNameInputError("makes too long a host name");
  return host;
}

/** A custom domain as an owner typed it, checked: not under the suffix (those are subdomains). */
export function customDomainHost(domain: string, suffix: string | undefined): string {
  const host = canonicalHostName(domain.trim());
  if (!host) throw new HostNameInputError("must be a domain name such as projects.example.com (no port, no IP)");
  if (suffix && (host === suffix || host.endsWith(`.${suffix}`)))
    throw new HostNameInputError(`names under ${suffix} are subdomains, given when the organization is created`);
  return host;
}
