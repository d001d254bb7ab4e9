// Hostile traffic against a real server: `npm start`'s src/main.ts as a child process on a
// free loopback port (so its RSS is the server's alone), fed by anonymous requests:
// 500 distinct ~1 MB documents (half dense with tokens, half a tiny query padded with a
// unique comment, the kind a parse cache would keep), a deep query, 1,000 aliases, an
// expensive page, and 20 MB bodies (with Content-Length and chunked). Prints how each was
// answered and the server's RSS before, during (peak) and after; it must stay under 600 MB.
//   npm run bench -- abuse [--documents 500] [--concurrency 4] [--server-dir DIR]
// --server-dir runs another checkout's server (e.g. the code before the limits) against the
// same attacks; the run stops early when that server passes --rss-stop-mb (default 1500).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { withBenchServer } from "./harness.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const RSS_BUDGET_MB = 600;

interface Outcome {
  status: string;
  /** extensions.code of the first error, with extensions.kind when there is one. */
  code?: string;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Math.round(Number(kb) / 1024) : NaN;
}

/** Node's arguments for the server as that checkout's `npm start` runs it (its V8 flags included). */
async function startArgs(serverDir: string): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(path.join(serverDir, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const [program, ...args] = scripts.start.trim().split(/\s+/);
  return program === "node" ? args : ["--import", "tsx", ...args]; // older checkouts: "tsx src/main.ts"
}

async function startServer(
  serverDir: string,
  centralUrl: string,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, await startArgs(serverDir), {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: centralUrl,
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      SEED_DEMO: "false",
      LOG_LEVEL: "fatal",
      JWT_SECRET: randomBytes(32).toString("hex"),
      APP_DB_PASSWORD: randomBytes(12).toString("hex"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphiQL: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function send(url: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      duplex: "half",
    } as RequestInit);
    const text = await response.text();
    let code: string | undefined;
    try {
      const extensions = JSON.parse(text).errors?.[0]?.extensions;
      code = extensions?.code && (extensions.kind ? `${extensions.code} (${extensions.kind})` : extensions.code);
    } catch {
      code = undefined;
    }
    return { status: String(response.status), code };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { status: `no response (${cause})` };
  }
}

function summary(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = `${o.status}${o.code ? ` ${o.code}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(", ");
}

const json = (query: string) => JSON.stringify({ query });

/** ~1 MB, distinct: `{ __typename __typename ... } # i` (dense) or `{ __typename } # <padding i>` (comment). */
function megabyteDocument(i: number, size: number): string {
  const tag = `# ${i} ${randomBytes(8).toString("hex")}\n`;
  if (i % 2 === 0) return `${tag}{ ${"__typename ".repeat(Math.floor((size - tag.length - 4) / 11))}}`;
  return `${tag}{ __typename }\n#${"x".repeat(size - tag.length - 18)}`;
}

function chunkedBody(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(64 * 1024, total - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
}

export default async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      documents: { type: "string", default: "500" },
      concurrency: { type: "string", default: "4" },
      "server-dir": { type: "string", default: ROOT },
      "rss-stop-mb": { type: "string", default: "1500" },
    },
  });
  const documents = Number(values.documents);
  const concurrency = Number(values.concurrency);
  const serverDir = path.resolve(values["server-dir"]!);
  const rssStop = Number(values["rss-stop-mb"]);
  await withBenchServer(async (_serverUrl, centralUrl) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "tenantgraph-abuse-"));
    const { child, url } = await startServer(serverDir, centralUrl, dataDir);
    let peak = 0;
    let stopped = "";
    const sampler = setInterval(() => {
      void rssMb(child.pid!).then((mb) => {
        if (!Number.isNaN(mb)) peak = Math.max(peak, mb);
        if (mb > rssStop && !stopped) {
          stopped = `stopped: server RSS ${mb} MB passed --rss-stop-mb ${rssStop}`;
          child.kill("SIGKILL");
        }
      });
    }, 100);
    try {
      console.log(`server: ${serverDir} (${url}), pid ${child.pid}`);
      // One harmless request first, so "before" includes a warmed-up server.
      await send(url, json("{ __typename }"));
      const before = await rssMb(child.pid!);
      console.log(`RSS before: ${before} MB`);
      const rows: Array<{ attack: string; answers: string; seconds: string }> = [];
      const attack = async (name: string, count: number, one: (i: number) => Promise<Outcome>) => {
        const started = performance.now();
        const outcomes: Outcome[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(concurrency, count) }, async () => {
            while (next < count && !stopped && child.exitCode === null && child.signalCode === null)
              outcomes.push(await one(next++));
          }),
        );
        const row = {
          attack: name,
          answers: summary(outcomes),
          seconds: ((performance.now() - started) / 1000).toFixed(1),
        };
        rows.push(row);
        console.log(`${row.attack}: ${row.answers} (${row.seconds} s, RSS now ${await rssMb(child.pid!)} MB)`);
      };
      const size = 990_000;
      await attack(
        `${documents} distinct ~1 MB anonymous documents (half dense, half comment-padded)`,
        documents,
        (i) => send(url, json(megabyteDocument(i, size))),
      );
      const deep = (levels: number) =>
        `{ projectsConnection { edges { node { ${"items { project { ".repeat(levels)} id ${"} } ".repeat(levels)} } } } }`;
      await attack("depth 18 (projectsConnection ... items { project { items ...)", 20, () => send(url, json(deep(7))));
      await attack("depth 200", 20, () => send(url, json(deep(98))));
      await attack("1,000 aliases of projectsConnection", 20, () =>
        send(
          url,
          json(`{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: projectsConnection { totalCount }`).join(" ")} }`),
        ),
      );
      await attack("cost: first 100 x first 100", 20, () =>
        send(
          url,
          json(
            `{ projectsConnection(first: 100) { edges { node { itemsConnection(first: 100) { edges { node { id title } } } } } } }`,
          ),
        ),
      );
      await attack("20 MB body (Content-Length)", 5, () => send(url, " ".repeat(20_000_000)));
      await attack("20 MB body (chunked)", 5, () => send(url, chunkedBody(20_000_000)));
      const alive = child.exitCode === null && child.signalCode === null;
      const after = alive ? await rssMb(child.pid!) : NaN;
      console.table(rows);
      if (stopped) console.log(stopped);
      if (!alive && !stopped) console.log(`the server DIED (exit ${child.exitCode ?? child.signalCode})`);
      console.log(
        `RSS before ${before} MB, peak ${peak} MB, after ${alive ? `${after} MB` : "(server gone)"}; budget ${RSS_BUDGET_MB} MB: ${alive && peak < RSS_BUDGET_MB ? "OK" : "OVER"}`,
      );
    } finally {
      clearInterval(sampler);
      await stopServer(child);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
