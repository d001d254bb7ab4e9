// Every tier on both test servers: the matrix the isolation suites attack.
export const PLACEMENTS = [
  ["DATABASE", "main"],
  ["SCHEMA", "main"],
  ["SHARED", "main"],
  ["DATABASE", "second"],
  ["SCHEMA", "second"],
  ["SHARED", "second"],
] as const;

/**
 * Organizations moved into a placement (`orgs move`) rather than provisioned there: the
 * isolation suites attack these too. [tier, server, the tier it was provisioned in on "main"].
 */
export const MOVED_PLACEMENTS = [
  ["SCHEMA", "main", "DATABASE"],
  ["DATABASE", "main", "SCHEMA"],
  ["SHARED", "main", "DATABASE"],
  ["DATABASE", "second", "SHARED"],
] as const;
