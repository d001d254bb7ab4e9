// Every id in tenantgraph (users, organizations, projects, items) is a UUID. Anything else
// cannot name a row, so callers refuse or "not find" it before it reaches a query.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
