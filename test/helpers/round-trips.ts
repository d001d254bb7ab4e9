// Every round trip any PostgreSQL client of this test file sends (Prisma's adapters, the
// rate-limit store, the listener, the tiers' pool wrappers), with the database it went to:
// each pg Client#query call is one round trip (one Sync, or one simple-query message, however
// many statements it carries). Statement-count tests count per database with it.
import pg from "pg";

export interface RoundTrip {
  database: string;
  /** The SQL of the call (a pipelined call's main statement). */
  text: string;
}

const recorders = new Set<RoundTrip[]>();
let patched = false;

function patchOnce(): void {
  if (patched) return;
  patched = true;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === "string" ? config : String((config as { text?: unknown } | null)?.text ?? "");
    const trip = { database: this.database ?? "", text };
    for (const trips of recorders) trips.push(trip);
    return (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof original;
}

/** Starts recording; `on(database)` lists the round trips to that database since the last clear(). */
export function recordRoundTrips() {
  patchOnce();
  const trips: RoundTrip[] = [];
  recorders.add(trips);
  return {
    on: (database: string) => trips.filter((t) => t.database === database),
    clear: () => void trips.splice(0),
    stop: () => void recorders.delete(trips),
  };
}

/** The database name of a connection URL. */
export const databaseOf = (url: string) => new URL(url).pathname.slice(1);
