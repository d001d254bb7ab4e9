// `tenantgraph orgs export|import`: an organization's data (projects, items, memberships)
// as JSON Lines, and loading such a file into a new organization.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { Tier } from "../data/central-client.ts";
import { checkReadableFile, checkServer, checkWritableTarget, slugArgument, tierOption } from "./arguments.ts";
import { operatorOf } from "./operator.ts";
import { printJson } from "./output.ts";
import { check, confirm, say } from "./prompts.ts";
import { withCliSession } from "./session.ts";

export function addOrgTransferCommands(orgs: Command): void {
  orgs
    .command("export")
    .description("write the organization's data (projects, items, memberships) as JSON Lines")
    .argument("<slug>", "the organization", slugArgument)
    .option("-o, --out <file>", "output file (default: <slug>.jsonl)")
    .option("--yes", "do not ask for confirmation")
    .option("--json", "JSON output (a summary; the data goes to the file)")
    .action(async (slug: string, opts: { out?: string; yes?: boolean; json?: boolean }, command: Command) => {
      const file = opts.out ?? `${slug}.jsonl`;
      await check(command, () => checkWritableTarget(file));
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
      async (
        file: string,
        opts: { slug: string; name?: string; tier?: Tier; server?: string; json?: boolean },
        command: Command,
      ) => {
        await check(command, async () => {
          checkReadableFile(file);
          await checkServer(opts.server);
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
}
