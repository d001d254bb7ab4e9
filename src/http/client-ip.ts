// The client's IP address, for limits per client. X-Forwarded-For is believed only when
// TRUST_PROXY says how many proxies append to it (any client can send the header): then the
// address that many hops from the right (counting the socket's peer) is the client. IPv6
// addresses are reduced to their /64 network, which one client usually holds whole, so
// rotating addresses inside it does not escape a limit.
import { isIP } from "node:net";

export function clientIp(
  forwardedFor: string | null | undefined,
  socketAddress: string | undefined,
  trustedHops: number,
): string {
  const peer = normalizeIp(socketAddress) ?? "unknown";
  if (trustedHops <= 0 || !forwardedFor) return peer;
  const chain = [...forwardedFor.split(",").map((entry) => entry.trim()), socketAddress ?? ""];
  const claimed = chain[chain.length - 1 - trustedHops] ?? chain[0];
  // A value that is not an address cannot come from a well-configured proxy: use the peer.
  return normalizeIp(claimed) ?? peer;
}

export function normalizeIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const bare = address.replace(/%.*$/, ""); // IPv6 zone index
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1];
  return `${ipv6Groups(bare).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as short lower-case hex. */
function ipv6Groups(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const part = (s: string) => (s ? s.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}
