// How database failures look from above: which errors (pg, Prisma's driver adapter, the
// socket) mean the database cannot be reached. Only this layer knows those codes; the HTTP
// layer asks isUnreachable() to turn them into TENANT_UNAVAILABLE.

// Connection-level failures: the server is down, restarting, or the database is gone.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P02", "57P03", "3D000", "53300", "P1000", "P1001", "P1002", "P1003", "P1017"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

export function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8) {
    chain.push(current);
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return chain;
}

export function isUnreachable(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, kind, originalCode } = e as { code?: unknown; kind?: unknown; originalCode?: unknown };
    return UNREACHABLE_CODES.has(String(code)) || UNREACHABLE_CODES.has(String(originalCode)) || UNREACHABLE_KINDS.has(String(kind));
  });
}
