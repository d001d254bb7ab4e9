// Online moves at size: one organization with N items (default 100,000) moves SHARED ->
// DATABASE on one server, then DATABASE -> SCHEMA on a second server, while writers keep
// creating items through the API. Prints per move: copy time and rows per second, the write
// pause (the switch's lock, and the longest a concurrent write took), verify time; the
// writers' usual latency before the moves is the baseline the longest write compares to.
//   npm run bench -- move [--items 100000] [--writers 4]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pino from "pino";
import { createApp, type App } from "../src/app.ts";
import { signToken } from "../src/accounts/sign-token.ts";
import { loadConfig } from "../src/config.ts";
import type { Organization } from "../src/data/central-client.ts";
import { migrateCentral } from "../src/data/central-database.ts";
import { startScratchPostgres } from "../src/data/scratch-postgres.ts";
import { cleanUpMove, moveOrganization, type MoveReport } from "../src/lifecycle/move-org.ts";
import { withPlacementSession } from "../src/lifecycle/move-rows.ts";
import { provisionOrganization } from "../src/lifecycle/provision.ts";
import { table, withBenchServer } from "./harness.ts";

const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`;

interface Writers {
  /** Longest single write since the last reset (ms), and writes that failed. */
  longestMs: number;
  failures: number;
  latencies: number[];
  stop(): Promise<void>;
}

function startWriters(app: App, token: string, projectId: string, count: number): Writers {
  const w: Writers = { longestMs: 0, failures: 0, latencies: [], stop: async () => {} };
  let running = true;
  let n = 0;
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      const started = performance.now();
      const response = await app.yoga.fetch("http://bench/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: CREATE, variables: { input: { projectId, title: `during move ${n++}` } } }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      const ms = performance.now() - started;
      w.latencies.push(ms);
      w.longestMs = Math.max(w.longestMs, ms);
      if (body.errors) w.failures++;
    }
  });
  w.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return w;
}

/** N items in one project, written straight into the organization's placement (fast set-up). */
async function seed(app: App, org: Organization, userId: string, items: number): Promise<string> {
  const projectId = crypto.randomUUID();
  await withPlacementSession(org, app.servers, async (c) => {
    await c.query(
      "INSERT INTO projects (id, org_id, name, created_by_id, updated_at) VALUES ($1, $2, 'bench', $3, now())",
      [projectId, org.id, userId],
    );
    await c.query(
      `INSERT INTO items (id, org_id, project_id, title, description, created_by_id, updated_at)
       SELECT gen_random_uuid(), $1, $2, 'item ' || i, repeat('x', 100), $3, now() FROM generate_series(1, $4) i`,
      [org.id, projectId, userId, items],
    );
  });
  return projectId;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { items: { type: "string", default: "100000" }, writers: { type: "string", default: "4" } },
  });
  const items = Number(values.items);
  const second = process.env.BENCH_SECOND_DATABASE_URL ? undefined : await startScratchPostgres("bench-second");
  const secondUrl = process.env.BENCH_SECOND_DATABASE_URL ?? second!.url;
  try {
    await withBenchServer(async (serverUrl, centralUrl) => {
      await migrateCentral(centralUrl);
      const suffix = randomBytes(3).toString("hex");
      const config = loadConfig({
        LOG_LEVEL: "silent",
        JWT_SECRET: randomBytes(32).toString("hex"),
        APP_DB_ROLE: `bench_${suffix}`,
        APP_DB_PASSWORD: randomBytes(12).toString("hex"),
        HOST_DATABASE_PREFIX: `bench_${suffix}`,
        SERVERS: JSON.stringify({ second: secondUrl }),
        ORG_REQUESTS_PER_SECOND: "100000",
        ORG_COST_PER_MINUTE: "100000000",
      });
      const app = await createApp(config, centralUrl, { logger: pino({ level: "silent" }) });
      try {
        const deps = { ...app.lifecycle, defaults: { hostDatabasePrefix: config.defaults.hostDatabasePrefix } };
        const org = await provisionOrganization(deps, { slug: "bench-move", name: "Bench", tier: "SHARED" });
        const user = await app.central.user.create({ data: { email: "bench@example.com", name: "Bench" } });
        await app.central.membership.create({ data: { userId: user.id, orgId: org.id, role: "OWNER" } });
        const token = await signToken(config.auth, { userId: user.id, orgId: org.id });
        const projectId = await seed(app, org, user.id, items);
        process.stderr.write(`seeded ${items} items\n`);

        const writers = startWriters(app, token, projectId, Number(values.writers));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const baseline = median(writers.latencies);
        const rows: Array<Record<string, string | number>> = [];
        for (const [tier, server] of [
          ["DATABASE", "main"],
          ["SCHEMA", "second"],
        ] as const) {
          writers.longestMs = 0;
          const report: MoveReport = await moveOrganization(
            { ...deps, onStep: (step) => process.stderr.write(`${tier}@${server}: ${step}\n`) },
            { slug: org.slug, tier, server },
          );
          await new Promise((resolve) => setTimeout(resolve, 500));
          const total = Object.values(report.rows).reduce((a, b) => a + b, 0);
          rows.push({
            move: `${report.from.tier}@${report.from.server} -> ${tier}@${server}`,
            rows: total,
            "copy s": (report.copyMs / 1000).toFixed(2),
            "rows/s": Math.round(total / (report.copyMs / 1000)),
            "writes paused ms": Math.round(report.pauseMs),
            "longest write ms": Math.round(writers.longestMs),
            "longest / usual write": (writers.longestMs / baseline).toFixed(1),
            "verify ms": Math.round(report.verifyMs),
            "failed writes": writers.failures,
          });
          await cleanUpMove(deps, org.slug);
        }
        await writers.stop();
        process.stdout.write(`\nusual write (median before the moves): ${baseline.toFixed(1)} ms\n`);
        table(rows);
      } finally {
        await app.close();
      }
    });
  } finally {
    await second?.stop();
  }
}
