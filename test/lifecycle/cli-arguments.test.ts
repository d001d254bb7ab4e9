// The operator CLI checks its arguments before any database work: with DATABASE_URL pointing at
// a closed port, a wrong argument is reported as itself (one line and a hint, exit 1), never
// as a connection error, and without any PostgreSQL being started.
import { createServer } from "node:net";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/run-cli.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let closedUrl: string;

function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, {
    ...process.env,
    DATABASE_URL: closedUrl,
    SERVERS: JSON.stringify({ second: closedUrl }),
    JWT_SECRET: "c".repeat(40),
    DATA_DIR: "/nonexistent/never-created",
  });
}

beforeAll(async () => {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  closedUrl = `postgresql://nobody:nothing@127.0.0.1:${port}/closed`;
});

const CASES: Array<[string, string[], RegExp]> = [
  ["a hostile slug", ["orgs", "create", "x'; DROP DATABASE postgres; --"], /argument 'slug'.*3-40 characters/],
  ["a reserved slug", ["orgs", "delete", "postgres", "--yes"], /"postgres" is reserved/],
  [
    "an unknown tier",
    ["orgs", "create", "fine-slug", "--tier", "cloud"],
    /--tier.*'cloud' is invalid.*DATABASE, SCHEMA, SHARED/,
  ],
  [
    "an unknown server",
    ["orgs", "create", "fine-slug", "--server", "mars"],
    /unknown server "mars" \(configured: main, second/,
  ],
  ["a zero concurrency", ["migrate", "--concurrency", "0"], /--concurrency.*must be a positive integer/],
  ["a bad --org slug", ["migrate", "--org", "ok-slug", "Not_OK"], /slug "Not_OK"/],
  ["an unknown migrate subcommand", ["migrate", "statuz"], /too many arguments for 'migrate'/],
  ["an unknown command", ["orgs", "frobnicate"], /unknown command 'frobnicate'/],
  ["an unknown option", ["orgs", "list", "--jsno"], /unknown option '--jsno'.*Did you mean --json/s],
  [
    "an unreadable import file",
    ["orgs", "import", "/nonexistent/acme.jsonl", "--slug", "acme-two"],
    /cannot read \/nonexistent\/acme.jsonl/,
  ],
  [
    "an export into a missing directory",
    ["orgs", "export", "acme", "-o", "/nonexistent/dir/acme.jsonl", "--yes"],
    /directory \/nonexistent\/dir does not exist/,
  ],
  ["a delete without --yes and no terminal", ["orgs", "delete", "acme"], /refusing without --yes/],
];

describe("tenantgraph CLI arguments", () => {
  it.each(CASES)(
    "refuses %s before any database work: one line, a hint, exit 1",
    { timeout: 60_000 },
    async (_, args, message) => {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/ECONNREFUSED|connect|PostgreSQL|Usage:/i);
      // The error, maybe commander's "(Did you mean ...?)", and the hint: never the whole help.
      const lines = r.stderr.trim().split("\n");
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(lines[0]).toMatch(/^tenantgraph: /);
      if (lines.length > 1) expect(lines.at(-1)).toBe("(add --help for usage)");
      expect(r.stdout).toBe("");
    },
  );

  it("prints its version from package.json", async () => {
    const { version } = JSON.parse(
      await import("node:fs").then((fs) => fs.readFileSync(path.join(ROOT, "package.json"), "utf8")),
    );
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("takes --json on every command", { timeout: 120_000 }, async () => {
    const commands = [
      ["orgs", "list"],
      ["orgs", "create"],
      ["orgs", "delete"],
      ["orgs", "export"],
      ["orgs", "import"],
      ["migrate"],
      ["migrate", "status"],
    ];
    const helps = await Promise.all(commands.map((command) => cli(...command, "--help")));
    for (const [i, help] of helps.entries()) {
      expect(help.code, commands[i]!.join(" ")).toBe(0);
      expect(help.stdout, commands[i]!.join(" ")).toMatch(/--json\s/);
    }
  });
});
