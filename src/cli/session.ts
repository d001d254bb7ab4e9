// The session every command runs in (open-session.ts), imported when a command runs rather
// than when the CLI starts: `--help`, a wrong argument or a command's own checks never load
// the configuration, pg or Prisma.
import type { CliSession } from "./open-session.ts";

export type { CliSession };

export async function withCliSession<T>(quiet: boolean, work: (session: CliSession) => Promise<T>): Promise<T> {
  const { openCliSession } = await import("./open-session.ts");
  return openCliSession(quiet, work);
}
