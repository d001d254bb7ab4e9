// One owner at a time for the embedded data directory: the process that starts (and later
// stops) its PostgreSQL. The owner writes `owner.json` beside the data (created exclusively:
// two processes cannot both claim it) with its pid, what it is (a server or an operator
// command) and, once started, the PostgreSQL port. Others read it: a command may use the
// port of a running server; a second server is refused. A claim whose pid is dead (killed
// with SIGKILL, out of memory) is stale and taken over.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isAlive } from "./process-alive.ts";

export type OwnerKind = "server" | "command";

export interface OwnerRecord {
  pid: number;
  kind: OwnerKind;
  /** PostgreSQL's port, once it is running. */
  port?: number;
  startedAt: string;
}

export interface DataDirClaim {
  record: OwnerRecord;
  /** Records the running PostgreSQL's port for other processes. */
  setPort(port: number): Promise<void>;
  /** Gives the directory up (only if the claim is still ours). */
  release(): Promise<void>;
}

export type ClaimResult = { claim: DataDirClaim } | { owner: OwnerRecord };

export const OWNER_FILE = "owner.json";

export async function claimDataDir(dataDir: string, kind: OwnerKind): Promise<ClaimResult> {
  const file = path.join(dataDir, OWNER_FILE);
  const record: OwnerRecord = { pid: process.pid, kind, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await writeFile(file, JSON.stringify(record), { flag: "wx", mode: 0o644 });
      return { claim: claimOf(file, record) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(file);
    if (owner && owner.pid !== process.pid && isAlive(owner.pid)) return { owner };
    if (!owner && attempt < 10) {
      await new Promise((r) => setTimeout(r, 50)); // being written right now
      continue;
    }
    // Stale (its process is gone) or unreadable for long: take it over.
    await rm(file, { force: true });
  }
  throw new Error(`could not claim ${file}`);
}

/** The current owner, if any process holds the directory. */
export async function readOwner(file: string): Promise<OwnerRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as OwnerRecord;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function claimOf(file: string, record: OwnerRecord): DataDirClaim {
  return {
    record,
    async setPort(port) {
      record.port = port;
      // Replaced in one step (rename): a reader never sees a half-written file.
      const next = `${file}.${process.pid}.tmp`;
      await writeFile(next, JSON.stringify(record), { mode: 0o644 });
      await rename(next, file);
    },
    async release() {
      const current = await readOwner(file);
      if (current?.pid === record.pid && current.startedAt === record.startedAt) await rm(file, { force: true });
    },
  };
}
