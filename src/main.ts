// npm start: configuration -> bind the port (a busy one fails before anything starts) ->
// PostgreSQL (embedded unless DATABASE_URL) -> central migrations -> demo organizations
// (embedded default) -> GraphQL server serves the bound port.
import type { Server } from "node:http";
import path from "node:path";
import { signToken } from "./accounts/sign-token.ts";
import { createApp, type App } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { migrateCentral, openCentralDatabase } from "./data/central-database.ts";
import { bindPort } from "./http/bind-port.ts";
import { seedDemo, type DemoUser } from "./demo.ts";
import { DEMO_PASSWORDS_FILE } from "./demo-passwords.ts";
import { applyLocalSecrets } from "./local-secrets.ts";

async function main(): Promise<void> {
  const loaded = loadConfig();
  const http = await bindPort(loaded.port, loaded.host);
  const config = await applyLocalSecrets(loaded);
  const central = await openCentralDatabase(config, say);
  let app: App | undefined;
  const server = http.server;
  const shutdown = async () => {
    server.close();
    await app?.close();
    await central.embedded?.stop();
  };
  try {
    const applied = await migrateCentral(central.url);
    if (applied.length) say(`Central migrations applied: ${applied.join(", ")}`);
    app = await createApp(config, central.url);
    const demoUsers = config.seedDemo ? await seedDemo(app, (line) => say(`  ${line}`)) : [];
    http.serve(app.yoga);
    await printWelcome(config, server, demoUsers);
  } catch (error) {
    await shutdown();
    throw error;
  }
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: shutting down`);
      void shutdown().finally(() => process.exit(0));
    });
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
  for (const user of users) say(`  mutation { logIn(input: { email: "${user.email}", password: "${user.password}" }) { token } }`);
  say(`\nThen run:  ${FIRST_QUERY}\n`);
}

const FIRST_QUERY = "{ me { email } currentOrganization { name } projectsConnection(first: 20) { edges { node { name itemsConnection(first: 20) { edges { node { title } } } } } } }";

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `tenantgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
