// Operators and the audit log: `tenantgraph orgs audit SLUG` reads an organization's
// records (newest first), `tenantgraph audit prune` removes those older than
// AUDIT_RETENTION_DAYS from every organization and from the central log.
import type { Command } from "commander";
import { positiveInt, slugArgument } from "./arguments.ts";
import { printJson, printTable } from "./output.ts";
import { withCliSession } from "./session.ts";

const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export function addOrgAuditCommand(orgs: Command): void {
  orgs
    .command("audit")
    .description("an organization's audit records, newest first")
    .argument("<slug>", "the organization", slugArgument)
    .option("--limit <n>", "at most this many (default 50)", positiveInt, 50)
    .option("--action <action>", "only this action (e.g. impersonated.request)")
    .option("--json", "JSON output")
    .action((slug: string, opts: { limit: number; action?: string; json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ deps }) => {
        const { readOrgAudit } = await import("../lifecycle/audit-records.ts");
        const org = await deps.central.organization.findUnique({ where: { slug } });
        if (!org || org.state === "DELETED") throw new Error(`no organization "${slug}"`);
        const rows = await readOrgAudit(org, deps.servers, { limit: opts.limit, action: opts.action });
        if (opts.json) printJson(rows);
        else
          printTable(
            rows.map((r) => ({
              at: r.at.toISOString(),
              action: r.action,
              actor: r.actor_id ?? r.operator,
              impersonator: r.impersonator,
              target: r.target_type ? `${r.target_type} ${r.target_id ?? ""}`.trim() : null,
              version: r.version_after === null ? null : `${r.version_before ?? "-"}->${r.version_after}`,
              changes: text(r.changes),
              request: r.request_id,
              ip: r.client_ip,
            })),
          );
      }),
    );
}

export function registerAuditCommand(program: Command): void {
  program
    .command("audit")
    .description("the audit log's retention")
    .command("prune")
    .description("remove audit records older than AUDIT_RETENTION_DAYS (every organization and the central log)")
    .option("--days <n>", "keep this many days instead of AUDIT_RETENTION_DAYS", positiveInt)
    .option("--json", "JSON output")
    .action((opts: { days?: number; json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ config, deps }) => {
        const { pruneAuditRecords } = await import("../lifecycle/audit-records.ts");
        const result = await pruneAuditRecords(deps, opts.days ?? config.audit.retentionDays);
        if (opts.json) printJson(result);
        else {
          printTable(result.organizations.filter((o) => o.removed > 0 || o.error));
          process.stderr.write(
            `records before ${result.cutoff.toISOString()} removed: ${result.organizations.reduce((n, o) => n + o.removed, 0)} ` +
              `from ${result.organizations.length} organizations, ${result.central} from the central log\n`,
          );
        }
        if (result.organizations.some((o) => o.error)) process.exitCode = 1;
      }),
    );
}
