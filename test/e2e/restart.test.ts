// The service always restarts and stops cleanly, run as operators run it (the real
// entrypoint, a data directory under /tmp): one owner per data directory (a second start is
// refused with a clear message and a non-zero exit; an operator command uses the running
// server's PostgreSQL); after the node process is killed with SIGKILL (PostgreSQL left
// running) the next start stops the leftover PostgreSQL and comes up; SIGTERM lets a request
// in flight finish with 200, then exits 0 with PostgreSQL stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
let dataDir: string;
const children: ChildProcess[] = [];

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "warn" };
  delete e.DATABASE_URL;
  return e;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  graphiql: string;
  alice: string;
  pgPort: number;
}

function run(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: ROOT,
    env: env(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function start(): Promise<Started> {
  const { child, output, exit } = run(["src/main.ts"]);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no GraphiQL line after 60 s:\n${output()}`)), 60_000);
    child.stdout!.on("data", () => {
      if (/Then run:/.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then((code) => reject(new Error(`exited with ${code}:\n${output()}`)));
  });
  const text = output();
  return {
    child,
    output,
    graphiql: /GraphiQL: (\S+)/.exec(text)![1]!,
    alice: /Alice.*:\n {2}\{"Authorization": "(Bearer [^"]+)"\}/.exec(text)![1]!,
    pgPort: Number(/127\.0\.0\.1:(\d+)\/postgres/.exec(text)![1]),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

async function projects(s: Started) {
  const response = await fetch(s.graphiql, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: s.alice },
    body: JSON.stringify({ query: "{ projectsConnection(first: 100) { totalCount } }" }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: { projectsConnection: { totalCount: number } } },
  };
}

async function superuser(port: number, database: string): Promise<pg.Client> {
  const secrets = JSON.parse(await readFile(path.join(dataDir, "local-secrets.json"), "utf8")) as {
    postgresPassword: string;
  };
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    password: secrets.postgresPassword,
    database,
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve),
  );

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (dataDir) {
    // A PostgreSQL left by a failed run: stop it before removing its directory.
    const lock = path.join(dataDir, "postgres", "postmaster.pid");
    if (existsSync(lock)) {
      const pid = Number((await readFile(lock, "utf8")).split("\n")[0]);
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // gone already
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});

describe("one owner per data directory, restart after SIGKILL, graceful SIGTERM", () => {
  it(
    "refuses a second server, shares with a command, recovers from SIGKILL, and drains on SIGTERM",
    { timeout: 240_000 },
    async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), "tenantgraph-restart-"));
      await chmod(dataDir, 0o755); // the postgres system user must reach it when run as root
      const first = await start();
      expect((await projects(first)).body.data!.projectsConnection.totalCount).toBeGreaterThan(0);

      // A second server on the same directory: a clear message and a non-zero exit, nothing stopped.
      const second = run(["src/main.ts"]);
      expect(await second.exit).not.toBe(0);
      expect(second.output()).toMatch(
        new RegExp(`in use by a tenantgraph server \\(pid ${first.child.pid}, PostgreSQL on port ${first.pgPort}\\)`),
      );
      expect((await projects(first)).status).toBe(200);

      // An operator command uses the running server's PostgreSQL and leaves it running.
      const list = run(["src/cli/main.ts", "orgs", "list"]);
      expect(await list.exit).toBe(0);
      expect(list.output()).toContain(
        `Using the embedded PostgreSQL of the running tenantgraph server (pid ${first.child.pid}, port ${first.pgPort})`,
      );
      expect(list.output()).toMatch(/acme\s+DATABASE\s+main/);
      expect((await projects(first)).status).toBe(200);

      // SIGKILL: node dies, PostgreSQL stays. The next start stops it and comes up on the same data.
      first.child.kill("SIGKILL");
      await exited(first.child);
      expect(await portOpen(first.pgPort)).toBe(true);
      const restarted = await start();
      expect(restarted.output()).toMatch(/Stopping the embedded PostgreSQL \(pid \d+\) left running/);
      expect(await portOpen(first.pgPort)).toBe(restarted.pgPort === first.pgPort);
      const before = await projects(restarted);
      expect(before.status).toBe(200);

      // SIGTERM while a request is in flight (held by a lock on its table): it finishes with 200.
      const holder = await superuser(restarted.pgPort, "org_acme");
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE");
      const inFlight = projects(restarted);
      for (let i = 0; i < 400; i++) {
        const waiting = await holder.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'org_acme' AND wait_event_type = 'Lock'",
        );
        if (waiting.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      restarted.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      expect(restarted.child.exitCode).toBeNull(); // still waiting for the request
      await holder.query("COMMIT");
      await holder.end();
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.body.data).toEqual(before.body.data);
      expect(await exited(restarted.child)).toBe(0);
      expect(await portOpen(restarted.pgPort)).toBe(false);
      expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
      expect(existsSync(path.join(dataDir, "owner.json"))).toBe(false);
    },
  );
});
