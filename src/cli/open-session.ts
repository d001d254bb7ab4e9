// What every operator command needs: the configuration, the central database (embedded
// when DATABASE_URL is not set, started and stopped around the command) and the
// lifecycle dependencies. Always closed, also when the command fails. Loaded by session.ts
// when a command runs: this is where the configuration (zod), pg and Prisma come in.
import { loadConfig, type Config } from "../config.ts";
import { createCentralClient } from "../data/central-client.ts";
import { migrateCentral, openCentralDatabase } from "../data/central-database.ts";
import { createLifecycle, type Lifecycle } from "../lifecycle/deps.ts";
import { applyLocalSecrets } from "../local-secrets.ts";

export interface CliSession {
  config: Config;
  deps: Lifecycle;
}

export async function openCliSession<T>(quiet: boolean, work: (session: CliSession) => Promise<T>): Promise<T> {
  const config = await applyLocalSecrets(loadConfig());
  const say = quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  // Never exit 0 having done nothing: work that runs out before the command finished is a failure.
  const stalled = () => {
    process.stderr.write("tenantgraph: the command stopped before it finished\n");
    process.exitCode = 1;
  };
  process.once("beforeExit", stalled);
  // Start-up ends here, where the database work begins (configuration, pg and Prisma are loaded;
  // the command's own lifecycle module is imported inside `work`). bench/cli.ts reads it.
  if (process.env.TENANTGRAPH_STARTUP_TIME)
    process.stderr.write(
      `tenantgraph: start-up ${Math.round(performance.now())} ms (cpu ${Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000)} ms)\n`,
    );
  // A command run while `npm start` is up uses that server's PostgreSQL; otherwise it starts (and stops) its own.
  const database = await openCentralDatabase(config, say, "command");
  const central = createCentralClient(database.url);
  try {
    const applied = await migrateCentral(database.url);
    if (applied.length) say(`central migrations applied: ${applied.join(", ")}`);
    return await work({ config, deps: await createLifecycle(config, central, database.url) });
  } finally {
    await central.$disconnect();
    await database.embedded?.stop();
    process.removeListener("beforeExit", stalled);
  }
}
