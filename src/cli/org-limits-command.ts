// `tenantgraph orgs limits <slug>`: an organization's rate limits (requests per second,
// operation cost per minute), and setting or clearing its overrides in the central table
// org_limits. Every server process picks a change up within ORG_LIMITS_CACHE_SECONDS.
import { InvalidArgumentError, type Command } from "commander";
import { printJson, printTable } from "./output.ts";
import { withCliSession } from "./session.ts";

/** A positive whole number, or "default" (the configured default applies). */
const limitValue = (value: string): number | "default" => {
  if (value === "default") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 100000000, or "default"');
  return n;
};

export function addOrgLimitsCommand(orgs: Command): void {
  orgs
    .command("limits <slug>")
    .description("show an organization's rate limits, or override them (a number, or 'default')")
    .option("--requests-per-second <n>", "GraphQL requests per second", limitValue)
    .option("--cost-per-minute <n>", "operation cost per minute", limitValue)
    .option("--json", "JSON output")
    .action(
      (
        slug: string,
        opts: { requestsPerSecond?: number | "default"; costPerMinute?: number | "default"; json?: boolean },
      ) =>
        withCliSession(Boolean(opts.json), async ({ config, deps: { central } }) => {
          const org = await central.organization.findUnique({ where: { slug }, select: { id: true, state: true } });
          if (!org || org.state === "DELETED") throw new Error(`no organization ${slug}`);
          const column = (value: number | "default") => (value === "default" ? null : value); // null: no override
          const changes = {
            ...(opts.requestsPerSecond !== undefined ? { requestsPerSecond: column(opts.requestsPerSecond) } : {}),
            ...(opts.costPerMinute !== undefined ? { costPerMinute: column(opts.costPerMinute) } : {}),
          };
          const row = Object.keys(changes).length
            ? await central.orgLimits.upsert({
                where: { orgId: org.id },
                create: { orgId: org.id, ...changes },
                update: changes,
              })
            : await central.orgLimits.findUnique({ where: { orgId: org.id } });
          const effective = {
            slug,
            requestsPerSecond: row?.requestsPerSecond ?? config.rateLimits.orgRequestsPerSecond,
            requestsPerSecondFrom: row?.requestsPerSecond ? "override" : "default",
            costPerMinute: row?.costPerMinute ?? config.rateLimits.orgCostPerMinute,
            costPerMinuteFrom: row?.costPerMinute ? "override" : "default",
          };
          if (opts.json) printJson(effective);
          else printTable([effective]);
        }),
    );
}
