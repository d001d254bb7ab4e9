// npm start: configuration -> PostgreSQL (embedded unless DATABASE_URL) -> central
// migrations -> demo organizations (embedded default) -> GraphQL server -> listen.
import { createServer, type Server } from "node:http";
import { createApp, migrateCentral, type App } from "./app.ts";
import { signToken } from "./auth/sign-token.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openCentralDatabase } from "./data/central-database.ts";
import { takeOverSignals } from "./data/embedded-postgres.ts";
import { drainHttpServer } from "./http/drain-server.ts";
import { seedDemo, type DemoUser } from "./lifecycle/demo.ts";
import { applyLocalSecrets } from "./local-secrets.ts";

async function main(): Promise<void> {
  // Signals are handled below (finish requests in flight, then stop PostgreSQL), not by embedded-postgres.
  takeOverSignals();
  let ready = false;
  let stopping = false;
  // Never end quietly: if work runs out before the server listens, that is a failure.
  process.once("beforeExit", () => {
    if (ready || stopping) return;
    console.error("tenantgraph failed to start: startup stopped before the server was listening");
    process.exitCode = 1;
  });
  const config = await applyLocalSecrets(loadConfig());
  // A signal while PostgreSQL is starting waits for it, then stops it.
  const opening = openCentralDatabase(config, say, "server");
  let app: App | undefined;
  let server: Server | undefined;
  const shutdown = async () => {
    // Stop accepting, let requests in flight finish (up to the grace period), then close pools and PostgreSQL.
    if (server) {
      const { forced } = await drainHttpServer(server, config.shutdownGraceMs);
      if (forced) say(`requests still running after ${config.shutdownGraceMs} ms were cut off`);
    }
    await app?.close();
    const central = await opening.catch(() => undefined);
    await central?.embedded?.stop();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: shutting down`);
      shutdown().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    });
  }
  const central = await opening;
  if (stopping) return;
  try {
    const applied = await migrateCentral(central.url);
    if (applied.length) say(`Central migrations applied: ${applied.join(", ")}`);
    app = await createApp(config, central.url);
    const demoUsers = config.seedDemo ? await seedDemo(app, (line) => say(`  ${line}`)) : [];
    server = await listen(config, app);
    ready = true;
    await printWelcome(config, server, demoUsers);
  } catch (error) {
    if (stopping) return; // a signal during startup: the shutdown above finishes the job
    await shutdown();
    throw error;
  }
}

async function listen(config: Config, app: App): Promise<Server> {
  const server = createServer(app.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${config.port} is in use: set PORT to a free port`) : error),
    );
    server.listen(config.port, config.host, resolve);
  });
  return server;
}

async function printWelcome(config: Config, server: Server, users: DemoUser[]): Promise<void> {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" ? "localhost" : config.host;
  say(`\ntenantgraph is running. GraphiQL: http://${host}:${port}/graphql`);
  if (users.length === 0) return;
  const hours = Math.round(config.auth.tokenTtlSeconds / 3600);
  say(`\nPaste one of these into GraphiQL's Headers tab (valid ${hours} h; restart for new ones):`);
  for (const user of users) {
    for (const org of user.orgs) {
      const token = await signToken(config.auth, { userId: user.id, orgId: org.id });
      say(`\n  ${user.name}, ${org.role} of ${org.slug}:`);
      say(`  {"Authorization": "Bearer ${token}"}`);
    }
  }
  say(`\nThen run:  { me { email } currentOrganization { name } projects { name items { title } } }\n`);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `tenantgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
