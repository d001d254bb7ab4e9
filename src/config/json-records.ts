// The variables whose value is a JSON object (SERVERS, POOLERS), and ConfigError, the error of
// a configuration that cannot be used. src/config.ts re-exports ConfigError.
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A JSON object of names to checked strings; `example` is what the error shows when it is not JSON. */
function parseJsonRecord(
  variable: string,
  raw: string | undefined,
  example: string,
  schema: z.ZodType<Record<string, string>>,
): Record<string, string> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${variable} must be JSON: ${example}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`${variable}: ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

/** POOLERS: a PgBouncer "host:port" per server name. */
export function parsePoolers(raw: string | undefined): Record<string, string> {
  return parseJsonRecord(
    "POOLERS",
    raw,
    '{"main": "pgbouncer-host:6432"}',
    z.record(z.string(), z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "host:port")),
  );
}

/** SERVERS: more PostgreSQL servers for organization data, by name. */
export function parseServers(raw: string | undefined): Record<string, string> {
  return parseJsonRecord(
    "SERVERS",
    raw,
    '{"name": "postgresql://..."}',
    z.record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/), z.url({ protocol: /^postgres(ql)?$/ })),
  );
}
