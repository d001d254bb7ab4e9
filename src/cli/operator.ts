// Who runs an operator command, as audit records name them: `--operator` where a command
// offers it (impersonate), otherwise the OS user running the CLI.
import { userInfo } from "node:os";
import { InvalidArgumentError } from "commander";

const NAME = /^[\w.@+-]{1,100}$/;

export function operatorArgument(value: string): string {
  const name = value.trim();
  if (!NAME.test(name)) throw new InvalidArgumentError("1-100 letters, digits and . _ @ + - (a user name or an email)");
  return name;
}

export function operatorOf(given: string | undefined): string {
  if (given) return given;
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user without a passwd entry.
    return `uid-${process.getuid?.() ?? "unknown"}`;
  }
  const name = user.replace(/[^\w.@+-]/g, "_").slice(0, 100);
  return NAME.test(name) ? name : "operator";
}
