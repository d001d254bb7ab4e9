// `tenantgraph orgs list|create|delete`: the organizations and their placement; provisioning
// (resumable) and deletion (a tombstone stays). Each action imports its lifecycle module.
import type { Command } from "commander";
import type { Tier } from "../data/central-client.ts";
import { checkServer, nameFromSlug, slugArgument, tierOption } from "./arguments.ts";
import { operatorOf } from "./operator.ts";
import { printJson, printTable } from "./output.ts";
import { check, confirm, say } from "./prompts.ts";
import { withCliSession } from "./session.ts";

export function addOrgsCommands(orgs: Command): void {
  orgs
    .command("list")
    .description("every organization with its placement, state and schema version")
    .option("--json", "JSON output")
    .action((opts: { json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ deps }) => {
        const { fleetStatus } = await import("../lifecycle/migrate-fleet.ts");
        const { orgs: rows } = await fleetStatus(deps);
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
    .action(
      async (slug: string, opts: { name?: string; tier?: Tier; server?: string; json?: boolean }, command: Command) => {
        await check(command, () => checkServer(opts.server));
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
      },
    );

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
}
