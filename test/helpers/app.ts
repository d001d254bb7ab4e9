// An in-process tenantgraph on the test server: its own central database and its own
// organization databases (unique names), queried through yoga.fetch, no port needed.
import { randomBytes, randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode } from "graphql";
import pino from "pino";
import type { LoginThrottleOptions } from "../../src/accounts/login-throttle.ts";
import type { RefreshTokenReuseHook } from "../../src/accounts/sessions.ts";
import { createApp, type App, type AppHooks } from "../../src/app.ts";
import { migrateCentral } from "../../src/data/central-database.ts";
import { signToken } from "../../src/accounts/sign-token.ts";
import { loadConfig } from "../../src/config.ts";
import type { Organization, Role, Tier } from "../../src/data/central-client.ts";
import type { Migration } from "../../src/data/migrator.ts";
import { quoteIdentifier } from "../../src/data/sql-identifiers.ts";
import { dropDatabase } from "../../src/data/server-admin.ts";
import { dropTemplates } from "../../src/data/database-templates.ts";
import { provisionOrganization } from "../../src/lifecycle/provision.ts";
import { orgRoleName, switcherRoleName } from "../../src/data/request-roles.ts";
import { createScratchDatabase, secondServerUrl, serverUrl, withAdminClient } from "./databases.ts";
import { startPgBouncer, type PgBouncer } from "./pgbouncer.ts";

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }>;
}

export interface RequestOptions<TVariables = Record<string, unknown>> {
  token?: string;
  orgId?: string;
  variables?: TVariables;
  headers?: Record<string, string>;
}

export interface TestApp extends App {
  /** A unique slug for this run: `<name>-<random>`; DATABASE tier on server "main" unless told otherwise. */
  provisionOrg(name: string, placement?: { tier?: Tier; server?: "main" | "second" }): Promise<Organization>;
  /** The slug provisionOrg gives `name`. */
  slugFor(name: string): string;
  /** A user with a verified address (and no password), member of the organizations given. */
  createUser(memberships?: Array<[Organization, Role]>): Promise<{ id: string; email: string }>;
  token(userId: string, orgId?: string, ttlSeconds?: number): Promise<string>;
  /** A typed document (op("Name")) types `variables` and `data`; a plain string is untyped. */
  graphql<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    options?: RequestOptions<TVariables>,
  ): Promise<GraphQLResponse<TData>>;
  graphql<T = any>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** The PgBouncers in front of the servers, by server name, when the app runs through them. */
  pgbouncers: Record<string, PgBouncer>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  maxClients?: number;
  poolSize?: number;
  env?: Record<string, string>;
  onOrgQuery?: (sql: string) => void;
  onCentralQuery?: (sql: string) => void;
  loginThrottle?: LoginThrottleOptions;
  onRefreshTokenReused?: RefreshTokenReuseHook;
  tenantMigrations?: Migration[];
  /** Default: silent (or TEST_LOG_LEVEL). */
  logger?: pino.Logger;
  /** DNS TXT look-ups for custom domains (tests never use the network). */
  txtResolver?: AppHooks["txtResolver"];
  onPasswordReset?: AppHooks["onPasswordReset"];
  /**
   * SCHEMA and SHARED tiers through a PgBouncer (transaction mode) in front of each test
   * server; default: when TEST_VIA_PGBOUNCER=1 (the "pgbouncer" vitest project).
   */
  viaPgBouncer?: boolean;
}

export const TEST_RATE_LIMITS = {
  SIGNUPS_PER_IP_PER_HOUR: "100000",
  LOGINS_PER_IP_PER_HOUR: "100000",
  REFRESHES_PER_IP_PER_HOUR: "100000",
  PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR: "100000",
  PASSWORD_RESETS_PER_IP_PER_HOUR: "100000",
  EMAIL_VERIFICATIONS_PER_IP_PER_HOUR: "100000",
  ORGS_PER_USER_PER_DAY: "100000",
  ORG_REQUESTS_PER_SECOND: "100000",
  ORG_COST_PER_MINUTE: "100000000",
};

const printedDocuments = new WeakMap<object, string>();
function printed(document: TypedDocumentNode<unknown, unknown>): string {
  let text = printedDocuments.get(document);
  if (text === undefined) printedDocuments.set(document, (text = print(document)));
  return text;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const bouncers: Record<string, PgBouncer> = {};
  if (options.viaPgBouncer ?? process.env.TEST_VIA_PGBOUNCER === "1") {
    const [main, second] = await Promise.all([startPgBouncer(serverUrl()), startPgBouncer(secondServerUrl())]);
    Object.assign(bouncers, { main, second });
  }
  const poolers = Object.fromEntries(Object.entries(bouncers).map(([server, b]) => [server, b.address]));
  const centralDb = await createScratchDatabase("central");
  await migrateCentral(centralDb.url);
  const suffix = randomBytes(3).toString("hex");
  const config = loadConfig({
    JWT_SECRET: randomBytes(32).toString("hex"),
    // Roles and host databases are per server, not per database: unique names keep test files apart.
    APP_DB_ROLE: `app_${suffix}`,
    APP_DB_PASSWORD: randomBytes(12).toString("hex"),
    HOST_DATABASE_PREFIX: `t_${suffix}`,
    SERVERS: JSON.stringify({ second: secondServerUrl() }),
    LOG_LEVEL: "silent",
    ORG_CLIENT_CACHE_SIZE: String(options.maxClients ?? 20),
    ORG_POOL_SIZE: String(options.poolSize ?? 2),
    // Test files send many requests from one (unknown) address and organization; the limits
    // tests (test/limits/) set low ones through `env`.
    ...TEST_RATE_LIMITS,
    ...(Object.keys(poolers).length ? { POOLERS: JSON.stringify(poolers) } : {}),
    ...options.env,
  });
  const app = await createApp(config, centralDb.url, {
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    onOrgQuery: options.onOrgQuery,
    onCentralQuery: options.onCentralQuery,
    loginThrottle: options.loginThrottle,
    onRefreshTokenReused: options.onRefreshTokenReused,
    tenantMigrations: options.tenantMigrations,
    // No test resolves real DNS: a custom domain verifies only through a resolver the test passes.
    txtResolver: options.txtResolver ?? (async () => []),
    onPasswordReset: options.onPasswordReset,
  });
  const slugFor = (name: string) => `${name}-${suffix}`;

  return {
    ...app,
    slugFor,
    provisionOrg: (name, placement = {}) =>
      provisionOrganization(app.lifecycle, { slug: slugFor(name), name, ...placement }),
    async createUser(memberships = []) {
      const email = `${randomUUID()}@test.example`;
      const user = await app.central.user.create({
        data: { email, name: email.slice(0, 8), emailVerifiedAt: new Date() },
      });
      for (const [org, role] of memberships) {
        await app.central.membership.create({ data: { userId: user.id, orgId: org.id, role } });
      }
      return { id: user.id, email };
    },
    pgbouncers: bouncers,
    token: (userId, orgId, ttlSeconds) => signToken(config.auth, { userId, orgId }, ttlSeconds),
    async graphql(
      document: string | TypedDocumentNode<unknown, unknown>,
      { token, orgId, variables, headers = {} }: RequestOptions<unknown> = {},
    ) {
      const { headers: _headers, ...response } = await requestVia(
        app,
        typeof document === "string" ? document : printed(document),
        {
          token,
          orgId,
          variables: variables as Record<string, unknown> | undefined,
          headers,
        },
      );
      return response;
    },
    async close() {
      const databases = await app.central.organization.findMany({
        distinct: ["server", "databaseName"],
        select: { server: true, databaseName: true },
      });
      const orgs = await app.central.organization.findMany({
        select: { server: true, tier: true, databaseName: true, schemaName: true },
      });
      try {
        await app.close();
      } finally {
        await Promise.all(Object.values(bouncers).map((b) => b.stop()));
      }
      for (const db of databases) await dropDatabase(app.servers[db.server]!, db.databaseName);
      for (const url of [serverUrl(), secondServerUrl()]) await dropTemplates(url, config.defaults.hostDatabasePrefix);
      // Roles are per server, not per database: drop those this app made (after the databases that grant them rights).
      for (const org of orgs) {
        const role = orgRoleName(org);
        if (role)
          await withAdminClient(
            (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`),
            app.servers[org.server]!,
          );
      }
      for (const url of [serverUrl(), secondServerUrl()]) {
        for (const role of [config.appRole.name, switcherRoleName(config.appRole)]) {
          await withAdminClient((c) => c.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`), url);
        }
      }
      await centralDb.drop();
    },
  };
}

export interface RequestFrom extends RequestOptions {
  /** The socket peer address the server sees (what the Node server passes as `req`). */
  remoteAddress?: string;
}

/** One GraphQL POST to any app's Yoga server, in-process; the response's headers come along. */
export async function requestVia<T = any>(
  app: Pick<App, "yoga">,
  document: string | DocumentNode,
  options: RequestFrom = {},
): Promise<GraphQLResponse<T> & { headers: Headers }> {
  const query = typeof document === "string" ? document : print(document);
  const { token, orgId, variables, headers = {}, remoteAddress } = options;
  const response = await app.yoga.fetch(
    "http://test/graphql",
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(orgId ? { "x-org-id": orgId } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    },
    { req: { socket: { remoteAddress } } },
  );
  return { status: response.status, headers: response.headers, ...(await response.json()) };
}
