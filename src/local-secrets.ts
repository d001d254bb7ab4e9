// Secrets for local use, generated on first start and kept beside the embedded data so
// tokens and the database password survive restarts. Never used when configured explicitly.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "./config.ts";

export interface LocalSecrets {
  jwtSecret: string;
  postgresPassword: string;
  /** Password of the application role (SHARED tier) on the servers this installation manages. */
  appDbPassword: string;
}

const generate = (): LocalSecrets => ({
  jwtSecret: randomBytes(32).toString("base64url"),
  postgresPassword: randomBytes(18).toString("base64url"),
  appDbPassword: randomBytes(18).toString("base64url"),
});

export async function loadLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  const file = path.join(dataDir, "local-secrets.json");
  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, "utf8")) as Partial<LocalSecrets>;
    const complete = { ...generate(), ...stored };
    // Secrets added by a newer version are generated once and kept; existing ones never change.
    if (Object.keys(stored).length < Object.keys(complete).length)
      await writeFile(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
    return complete;
  }
  const secrets = generate();
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  return secrets;
}

/** Fills what local use may leave unconfigured: the token secret and the application role's password. */
export async function applyLocalSecrets(config: Config): Promise<Config> {
  const needsSecret = !config.auth.secret && !config.auth.jwksFile && !config.auth.jwksUrl;
  if (!needsSecret && config.appRole.password) return config;
  const secrets = await loadLocalSecrets(config.dataDir);
  if (needsSecret) config.auth.secret = secrets.jwtSecret;
  config.appRole.password ??= secrets.appDbPassword;
  return config;
}
