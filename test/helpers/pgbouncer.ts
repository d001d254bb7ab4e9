// A PgBouncer in transaction pooling mode in front of a test server, on a free port, for one
// test file (Debian's `pgbouncer` package at /usr/sbin/pgbouncer, or PGBOUNCER_PATH). Clients
// log in with SCRAM; PgBouncer looks their secret up with auth_query as the server's
// superuser and reuses the client's SCRAM keys to log in to the server, so no role's
// password is written anywhere. stop() ends it and removes its directory.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export const PGBOUNCER = process.env.PGBOUNCER_PATH ?? "/usr/sbin/pgbouncer";

export function pgbouncerInstalled(): boolean {
  return existsSync(PGBOUNCER);
}

export interface PgBouncer {
  /** "127.0.0.1:<port>": what POOLERS names for the server. */
  address: string;
  /** Superuser URL of its admin console (SHOW POOLS, SHOW STATS). */
  adminUrl: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => (socket.end(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts PgBouncer in front of the server of `serverUrl` (a superuser URL). */
export async function startPgBouncer(serverUrl: string, poolSize = 4): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const superuser = decodeURIComponent(server.username);
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "tenantgraph-pgbouncer-"));
  // PgBouncer refuses to run as root: then it runs as the postgres system user (as the embedded server does).
  const asRoot = userInfo().uid === 0;
  const ini = [
    "[databases]",
    `* = host=${server.hostname} port=${server.port}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "pool_mode = transaction",
    `default_pool_size = ${poolSize}`,
    "max_client_conn = 500",
    "auth_type = scram-sha-256",
    `auth_file = ${path.join(dir, "userlist.txt")}`,
    `auth_user = ${superuser}`,
    `admin_users = ${superuser}`,
    // pg sends these in the startup message; PgBouncer 1.18 refuses parameters it does not know.
    "ignore_startup_parameters = extra_float_digits,statement_timeout",
    `logfile = ${path.join(dir, "pgbouncer.log")}`,
    "",
  ].join("\n");
  await writeFile(path.join(dir, "pgbouncer.ini"), ini);
  await writeFile(path.join(dir, "userlist.txt"), `"${superuser}" "${decodeURIComponent(server.password)}"\n`, {
    mode: 0o600,
  });
  if (asRoot) {
    const [uid, gid] = ["-u", "-g"].map((flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" })));
    await chmod(dir, 0o755);
    for (const file of ["", "pgbouncer.ini", "userlist.txt"]) await chown(path.join(dir, file), uid!, gid!);
  }
  let output = "";
  const child = spawn(PGBOUNCER, [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  // A test file that ends without its afterAll (a worker killed at a timeout) leaves no PgBouncer behind.
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const admin = new URL(serverUrl);
  admin.host = `127.0.0.1:${port}`;
  admin.pathname = "/pgbouncer";
  return { address: `127.0.0.1:${port}`, adminUrl: admin.toString(), stop };
}
