// `tenantgraph roles rotate [--org slug...]`: see src/lifecycle/rotate-roles.ts.
import type { Command } from "commander";
import { printJson, printTable } from "./output.ts";
import { withCliSession } from "./session.ts";

export function registerRolesCommand(program: Command): void {
  program
    .command("roles")
    .description("database roles requests run as")
    .command("rotate")
    .description(
      "create missing organization roles, re-apply their grants, and set every role's password from APP_DB_PASSWORD",
    )
    .option("--org <slug...>", "only these organizations")
    .option("--json", "JSON output")
    .action((opts: { org?: string[]; json?: boolean }) =>
      withCliSession(Boolean(opts.json), async ({ deps }) => {
        const { rotateRoles } = await import("../lifecycle/rotate-roles.ts");
        const results = await rotateRoles(deps, { orgs: opts.org });
        const failed = results.filter((r) => r.error);
        if (opts.json) printJson(results);
        else {
          printTable(results.map((r) => ({ target: r.target, login: r.login ?? null, error: r.error ?? null })));
          process.stderr.write(`${results.length - failed.length} done, ${failed.length} failed\n`);
        }
        if (failed.length) process.exitCode = 1;
      }),
    );
}
