// npm start: configuration -> bind the port (a busy one fails before anything starts) ->
// PostgreSQL (embedded unless DATABASE_URL) -> central migrations -> demo organizations
// (embedded default) -> GraphQL server serves the bound port. SIGTERM/SIGINT drain requests
// in flight, close the pools and stop PostgreSQL.
import type { Server } from "node:http";
import path from "node:path";
import { signToken } from "./accounts/sign-token.ts";
import { createApp, type App } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { migrateCentral, openCentralDatabase } from "./data/central-database.ts";
import { takeOverSignals } from "./data/embedded-postgres.ts";
import { seedDemo, type DemoUser } from "./demo.ts";
import { DEMO_PASSWORDS_FILE } from "./demo-passwords.ts";
import { bindPort } from "./http/bind-port.ts";
import { drainHttpServer } from "./http/drain-server.ts";
import { applyLocalSecrets } from "./local-secrets.ts";
import { startMetricsListener, type MetricsListener } from "./metrics-listener.ts";

async function main(): Promise<void> {
  // Signals are handled below (finish requests in flight, then stop PostgreSQL), not by embedded-postgres.
  takeOverSignals();
  let ready = false;
  let stopping = false;
  // Never end quietly: if work runs out before the server serves, that is a failure.
  process.once("beforeExit", () => {
    if (ready || stopping) return;
    console.error("tenantgraph failed to start: startup stopped before the server was listening");
    process.exitCode = 1;
  });
  const loaded = loadConfig();
  const http = await bindPort(loaded.port, loaded.host);
  const server = http.server;
  const config = await applyLocalSecrets(loaded);
  // A signal while PostgreSQL is starting waits for it, then stops it.
  const opening = openCentralDatabase(config, say, "server");
  let app: App | undefined;
  let metricsListener: MetricsListener | undefined;
  const shutdown = async () => {
    // Stop accepting, let requests in flight finish (up to the grace period), then close pools and PostgreSQL.
    const { forced } = await drainHttpServer(server, config.shutdownGraceMs);
    if (forced) say(`requests still running after ${config.shutdownGraceMs} ms were cut off`);
    await metricsListener?.close();
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
  try {
    const central = await opening;
    if (stopping) return;
    const applied = await migrateCentral(central.url);
    if (applied.length) say(`Central migrations applied: ${applied.join(", ")}`);
    // Links in mails point at the port actually bound (PORT=0 picks one).
    const bound = server.address();
    app = await createApp(typeof bound === "object" && bound ? { ...config, port: bound.port } : config, central.url);
    const demoUsers = config.seedDemo ? await seedDemo(app, (line) => say(`  ${line}`)) : [];
    http.serve(app.yoga);
    const metricsPort = config.observe.metrics.port;
    if (metricsPort !== undefined && config.observe.metrics.enabled) {
      metricsListener = await startMetricsListener(app.metrics, {
        port: metricsPort,
        host: config.host,
        token: config.observe.metrics.token,
      });
      say(`Metrics: http://${config.host}:${metricsListener.port}/metrics`);
    }
    ready = true;
    await printWelcome(config, server, demoUsers);
  } catch (error) {
    if (stopping) return; // a signal during startup: the shutdown above finishes the job
    await shutdown();
    throw error;
  }
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
  say(`\nOr sign in with a demo user's password (kept in ${path.join(config.dataDir, DEMO_PASSWORDS_FILE)}):`);
  for (const user of users)
    say(`  mutation { logIn(input: { email: "${user.email}", password: "${user.password}" }) { token } }`);
  say(`\nThen run:  ${FIRST_QUERY}\n`);
}

const FIRST_QUERY =
  "{ me { email } currentOrganization { name } projectsConnection(first: 20) { edges { node { name itemsConnection(first: 20) { edges { node { title } } } } } } }";

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `tenantgraph failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
