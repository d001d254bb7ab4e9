// `tenantgraph impersonate --org SLUG --user EMAIL --reason "..." [--minutes 15] [--write]`:
// support access (README "Support access"). Prints a short-lived token that acts as the user
// in that organization only, names the operator in its `act` claim, and is read-only unless
// --write; the start is recorded in the organization's and the central audit log.
import { InvalidArgumentError, type Command } from "commander";
import { SUPPORT_ACCESS_MINUTES } from "../accounts/support-access-minutes.ts";
import { slugArgument } from "./arguments.ts";
import { operatorArgument, operatorOf } from "./operator.ts";
import { printJson } from "./output.ts";
import { withCliSession } from "./session.ts";

const minutesArgument = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > SUPPORT_ACCESS_MINUTES.max)
    throw new InvalidArgumentError(`must be a whole number of minutes from 1 to ${SUPPORT_ACCESS_MINUTES.max}`);
  return n;
};

const reasonArgument = (value: string): string => {
  const reason = value.trim();
  if (reason.length < 3 || reason.length > 500) throw new InvalidArgumentError("must be 3-500 characters");
  return reason;
};

export function registerImpersonateCommand(program: Command): void {
  program
    .command("impersonate")
    .description("support access: print a short-lived token acting as a member of one organization (audited)")
    .requiredOption("--org <slug>", "the organization", slugArgument)
    .requiredOption("--user <email>", "the member to act as")
    .requiredOption(
      "--reason <text>",
      "why (recorded with every request: a ticket, a request from the customer)",
      reasonArgument,
    )
    .option(
      "--minutes <n>",
      `lifetime (default ${SUPPORT_ACCESS_MINUTES.default}, at most ${SUPPORT_ACCESS_MINUTES.max})`,
      minutesArgument,
      SUPPORT_ACCESS_MINUTES.default,
    )
    .option("--write", "allow mutations (read-only otherwise)")
    .option("--operator <name>", "who you are, recorded as the actor (default: the OS user)", operatorArgument)
    .option("--json", "JSON output")
    .action(
      (opts: {
        org: string;
        user: string;
        reason: string;
        minutes: number;
        write?: boolean;
        operator?: string;
        json?: boolean;
      }) =>
        withCliSession(Boolean(opts.json), async ({ config, deps }) => {
          const { startSupportAccess } = await import("../accounts/support-access.ts");
          const access = await startSupportAccess(
            { central: deps.central, servers: deps.servers, auth: config.auth },
            {
              slug: opts.org,
              email: opts.user,
              reason: opts.reason,
              minutes: opts.minutes,
              write: Boolean(opts.write),
              operator: operatorOf(opts.operator),
            },
          );
          if (opts.json) printJson(access);
          else {
            process.stderr.write(
              `support access to ${access.org.slug} as ${access.user.email}, ${access.write ? "read-write" : "read-only"}, ` +
                `until ${access.expiresAt.toISOString()} (session ${access.id}); every request is audited\n`,
            );
            process.stdout.write(`${access.token}\n`);
          }
        }),
    );
}
