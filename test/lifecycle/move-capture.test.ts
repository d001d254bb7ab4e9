// Starting a move's capture while audited writes are in flight: an audited write takes its
// table, then appends to audit_events; the capture locks the organization's tables in that same
// order, so a write half-way (holding items, about to append its record) finishes first and
// the capture never has to give way in a deadlock (the move bench hit one in about one run of ten
// while it locked audit_events first).
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startCapture, stopCapture } from "../../src/lifecycle/move-capture.ts";
import { withPlacementSession } from "../../src/lifecycle/move-rows.ts";
import { orgTables } from "../../src/lifecycle/org-data.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;
let org: Organization;
beforeAll(async () => {
  app = await startTestApp();
  org = await app.provisionOrg("capture-order", { tier: "DATABASE" });
});
afterAll(() => app?.close());

const session = <T>(work: (client: pg.ClientBase) => Promise<T>) => withPlacementSession(org, app.servers, work);

/** Resolves once `pid` waits for a lock. */
async function waitingForLock(observer: pg.ClientBase, pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rowCount } = await observer.query("SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted", [pid]);
    if (rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the capture never waited for the writer's lock");
}

it("lets an audited write in flight finish, then starts at its first attempt", async () => {
  await session((writer) =>
    session((capture) =>
      session(async (observer) => {
        const tables = await orgTables(capture);
        expect(tables).toContain("audit_events");
        const { rows } = await capture.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        const attempts: string[] = [];
        const query = capture.query.bind(capture) as (...args: unknown[]) => Promise<unknown>;
        (capture as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
          if (typeof text === "string" && text.startsWith("LOCK TABLE")) attempts.push(text);
          return query(text, ...rest);
        };

        // A write half-way: its change holds items; its audit record comes next.
        await writer.query("BEGIN");
        await writer.query("LOCK TABLE items IN ROW EXCLUSIVE MODE");
        const started = startCapture(capture, org.id, tables);
        await waitingForLock(observer, rows[0]!.pid);
        await writer.query("LOCK TABLE audit_events IN ROW EXCLUSIVE MODE"); // the record's INSERT
        await writer.query("COMMIT");
        await started;

        expect(attempts).toHaveLength(1);
        expect(attempts[0]!.indexOf('"audit_events"')).toBeGreaterThan(attempts[0]!.indexOf('"items"'));
        await stopCapture(capture, org.id, tables, false);
      }),
    ),
  );
});
