// The SCHEMA and SHARED tiers through PgBouncer in transaction pooling mode (POOLERS): their
// requests are served through it (its stats count their transactions), and with fewer
// server connections than organizations, each server connection serving one organization
// after another, every organization still sees exactly its own rows: the organization
// setting (SHARED) and the role switch (SCHEMA) are transaction-local and never outlive
// the transaction on a connection PgBouncer hands to someone else. The whole isolation
// suite runs through PgBouncer too (the "pgbouncer" project in vitest.config.ts).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Organization } from "../../src/data/central-client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { PGBOUNCER, pgbouncerInstalled } from "../helpers/pgbouncer.ts";

const installed = pgbouncerInstalled();
if (!installed) console.warn(`PgBouncer tests NOT run: no pgbouncer at ${PGBOUNCER} (apt-get install pgbouncer)`);

async function transactionsThrough(adminUrl: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // The admin console speaks the simple protocol only.
    const stats = await client.query({ text: "SHOW STATS", rowMode: "array" } as pg.QueryConfig);
    const names = stats.fields.map((f) => f.name);
    const row = (stats.rows as unknown[][]).find((r) => r[names.indexOf("database")] === database);
    return row ? Number(row[names.indexOf("total_xact_count")]) : 0;
  } finally {
    await client.end();
  }
}

describe.skipIf(!installed).each(["SCHEMA", "SHARED"] as const)("%s tier through PgBouncer", (tier) => {
  let app: TestApp;
  const orgs: Array<{ org: Organization; token: string; word: string }> = [];
  beforeAll(async () => {
    app = await startTestApp({ viaPgBouncer: true, env: { SHARED_POOL_SIZE: "8" } });
    for (const i of [0, 1, 2, 3, 4, 5]) {
      const org = await app.provisionOrg(`bouncer-${tier.toLowerCase()}-${i}`, { tier });
      const user = await app.createUser([[org, "OWNER"]]);
      orgs.push({ org, token: await app.token(user.id, org.id), word: `word${i}x${tier}` });
    }
  }, 120_000);
  afterAll(() => app?.close());

  it("serves every organization its own rows through a few shared server connections", async () => {
    for (const { token, word } of orgs) {
      const r = await app.graphql(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
        token,
        variables: { n: `${word} project` },
      });
      expect(r.errors).toBeUndefined();
    }
    // Interleaved, concurrent: 6 organizations over PgBouncer's 4 server connections.
    const reads = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        app.graphql(`{ projectsConnection(first: 50) { edges { node { name } } } }`, { token: orgs[i % 6]!.token }),
      ),
    );
    reads.forEach((r, i) => {
      expect(r.errors).toBeUndefined();
      const names = r.data.projectsConnection.edges.map((e: { node: { name: string } }) => e.node.name);
      expect(names).toEqual([`${orgs[i % 6]!.word} project`]);
    });
    const database = orgs[0]!.org.databaseName;
    expect(await transactionsThrough(app.pgbouncers.main!.adminUrl, database)).toBeGreaterThan(60);
  });
});
