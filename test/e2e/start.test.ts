// `npm start` as a new user runs it: no DATABASE_URL, so an embedded PostgreSQL starts,
// the demo organizations are provisioned, and the printed header returns the demo org's
// projects from the printed GraphiQL URL. A second start reuses the data. SIGINT stops
// both the server and PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
let dataDir: string;
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  output: string;
  graphiql: string;
  headers: Array<{ who: string; authorization: string }>;
  pgPort: number;
}

async function start(): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no GraphiQL line after 45 s:\n${output}`)), 45_000);
    child.stdout!.on("data", () => {
      if (/Then run:/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  const graphiql = /GraphiQL: (\S+)/.exec(output)![1]!;
  const headers = [...output.matchAll(/\n {2}(.+):\n {2}\{"Authorization": "(Bearer [^"]+)"\}/g)].map((m) => ({
    who: m[1]!,
    authorization: m[2]!,
  }));
  const pgPort = Number(/127\.0\.0\.1:(\d+)\/postgres/.exec(output)![1]);
  return { child, output, graphiql, headers, pgPort };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  return exited;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

// The demo's projects with their items' titles, read through the connections.
const PROJECTS =
  "projectsConnection(first: 20) { edges { node { name itemsConnection(first: 20) { edges { node { title } } } } } }";
const projectsOf = (data: any) =>
  data.projectsConnection.edges.map(({ node }: any) => ({
    name: node.name,
    items: node.itemsConnection.edges.map((e: any) => e.node),
  }));

/** The logIn mutations `npm start` prints, one per demo user. */
function printedLogIns(output: string) {
  return [
    ...output.matchAll(
      /^ {2}(mutation \{ logIn\(input: \{ email: "([^"]+)", password: "[^"]+" \}\) \{ token \} \})$/gm,
    ),
  ].map((m) => ({ email: m[2]!, mutation: m[1]! }));
}

async function query(url: string, authorization: string, q: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query: q }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("npm start with no DATABASE_URL", () => {
  it(
    "starts embedded PostgreSQL, seeds the demo, serves the printed header, and stops cleanly",
    { timeout: 120_000 },
    async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), "tenantgraph-start-"));
      await chmod(dataDir, 0o755);
      const first = await start();
      expect(first.graphiql).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      expect(first.headers.length).toBeGreaterThanOrEqual(2);
      const alice = first.headers.find((h) => h.who.startsWith("Alice"))!;
      const r = await query(first.graphiql, alice.authorization, `{ currentOrganization { slug } ${PROJECTS} }`);
      expect(r.status).toBe(200);
      expect(r.body.data.currentOrganization.slug).toBe("acme");
      expect(projectsOf(r.body.data).map((p: { name: string }) => p.name)).toEqual(["Launch pad", "Safety review"]);
      // The printed first query runs as printed, and shows the demo organization's items.
      const printed = await query(first.graphiql, alice.authorization, /Then run: {2}(.+)/.exec(first.output)![1]!);
      expect(printed.body.errors).toBeUndefined();
      expect(JSON.stringify(printed.body.data)).toContain("Fuel supplier may slip");
      // The printed demo passwords work with logIn (no header needed), and only the owner may read their file.
      const logIns = printedLogIns(first.output);
      expect(logIns.map((l) => l.email)).toEqual(
        expect.arrayContaining(["alice@acme.test", "bob@globex.test", "dana@initech.test"]),
      );
      const aliceLogIn = logIns.find((l) => l.email === "alice@acme.test")!;
      const session = await query(first.graphiql, "", aliceLogIn.mutation);
      expect(session.body.errors).toBeUndefined();
      const me = await query(first.graphiql, `Bearer ${session.body.data.logIn.token}`, `{ me { email } }`);
      expect(me.body.data).toEqual({ me: { email: "alice@acme.test" } });
      expect((await stat(path.join(dataDir, "demo-passwords.json"))).mode & 0o777).toBe(0o600);
      const page = await fetch(first.graphiql, { headers: { accept: "text/html" } });
      expect(await page.text()).toContain("GraphiQL");
      expect(await stop(first.child)).toBe(0);
      expect(await portOpen(first.pgPort)).toBe(false);

      // Second start: same data directory, nothing provisioned twice, same rows.
      const second = await start();
      expect(second.output).not.toMatch(/create database|demo projects created/);
      // The same passwords as the first start (kept in the data directory), and they still work.
      expect(printedLogIns(second.output)).toEqual(logIns);
      const bobLogIn = await query(second.graphiql, "", logIns.find((l) => l.email === "bob@globex.test")!.mutation);
      expect(bobLogIn.body.data.logIn.token).toEqual(expect.any(String));
      const bob = second.headers.find((h) => h.who.startsWith("Bob"))!;
      const again = await query(second.graphiql, bob.authorization, `{ ${PROJECTS} }`);
      expect(projectsOf(again.body.data).map((p: { name: string }) => p.name)).toEqual(["Volcano lair"]);
      // The SHARED-tier demo organization sees its own rows only, through row-level security.
      const dana = second.headers.find((h) => h.who.startsWith("Dana"))!;
      const shared = await query(second.graphiql, dana.authorization, `{ currentOrganization { tier } ${PROJECTS} }`);
      expect(shared.body.data.currentOrganization).toEqual({ tier: "SHARED" });
      expect(projectsOf(shared.body.data)).toEqual([{ name: "TPS reports", items: [{ title: "New cover sheets" }] }]);
      expect(await stop(second.child)).toBe(0);
      expect(await portOpen(second.pgPort)).toBe(false);
    },
  );
});
