// Every tier on both test servers: the matrix the isolation suites attack.
export const PLACEMENTS = [
  ["DATABASE", "main"],
  ["SCHEMA", "main"],
  ["SHARED", "main"],
  ["DATABASE", "second"],
  ["SCHEMA", "second"],
  ["SHARED", "second"],
] as const;
