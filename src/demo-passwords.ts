// Passwords for the demo users, so `logIn` can be tried with them: generated once per data
// directory, kept in <dataDir>/demo-passwords.json (readable by its owner only) and printed
// at every start. Random rather than fixed, because a demo seeded on a reachable server must
// not come with passwords anyone could read in the README.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const DEMO_PASSWORDS_FILE = "demo-passwords.json";

/** The password of each of `emails`: the stored one, or a new one that is stored before it is returned. */
export async function loadDemoPasswords(dataDir: string, emails: readonly string[]): Promise<Record<string, string>> {
  const file = path.join(dataDir, DEMO_PASSWORDS_FILE);
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(await readFile(file, "utf8")) : {};
  const missing = emails.filter((email) => typeof stored[email] !== "string" || stored[email].length < 8);
  if (missing.length === 0) return stored;
  for (const email of missing) stored[email] = `demo-${randomBytes(9).toString("base64url")}`;
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}
