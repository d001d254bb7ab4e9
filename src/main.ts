// npm start: configuration -> PostgreSQL (embedded unless DATABASE_URL) -> central
// migrations -> demo organizations (embedded default) -> GraphQL server -> listen.
import { createServer } from "node:http";
import path from "node:path";
import { createApp, migrateCentral } from "./app.ts";
import { signToken } from "./auth/sign-token.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./data/embedded-postgres.ts";
import { ensureDatabase } from "./data/server-admin.ts";
import { seedDemo, type DemoUser } from "./lifecycle/demo.ts";
import { databaseUrlOn } from "./tenancy/placement.ts";
import { loadLocalSecrets } from "./local-secrets.ts";

const CENTRAL_DATABASE = "tenantgraph";

async function main(): Promise<void> {
  const config = loadConfig();
  const secrets = await loadLocalSecrets(config.dataDir);
  if (!config.auth.secret && !config.auth.jwksFile && !config.auth.jwksUrl) config.auth.secret = secrets.jwtSecret;

  let embedded: EmbeddedServer | undefined;
  let centralUrl = config.databaseUrl;
  if (!centralUrl) {
    say("Starting embedded PostgreSQL (no DATABASE_URL set)...");
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres"), password: secrets.postgresPassword });
    await ensureDatabase(embedded.url, CENTRAL_DATABASE);
    centralUrl = databaseUrlOn(embedded.url, CENTRAL_DATABASE);
    say(`PostgreSQL ${embedded.url.replace(/:[^:@/]*@/, ":***@")} (data in ${path.join(config.dataDir, "postgres")})`);
  }

  const applied = await migrateCentral(centralUrl);
  if (applied.length) say(`Central migrations applied: ${applied.join(", ")}`);
  const app = await createApp(config, centralUrl);
  const demoUsers = config.seedDemo ? await seedDemo(app, (line) => say(`  ${line}`)) : [];

  const server = createServer(app.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}/graphql`;
  await printWelcome(config, url, demoUsers);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: shutting down`);
    server.close();
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

async function printWelcome(config: Config, url: string, users: DemoUser[]): Promise<void> {
  say(`\ntenantgraph is running. GraphiQL: ${url}`);
  if (users.length === 0) return;
  say(`\nPaste one of these into GraphiQL's Headers tab (valid ${Math.round(config.auth.tokenTtlSeconds / 3600)} h; restart for new ones):`);
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
  if (error instanceof ConfigError) console.error(error.message);
  else if ((error as { code?: string }).code === "EADDRINUSE") console.error(`Port in use: set PORT to a free port. (${(error as Error).message})`);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
