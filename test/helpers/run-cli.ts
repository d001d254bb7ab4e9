// Runs the operator CLI as operators do, in its own process, and collects what it printed.
import { spawn } from "node:child_process";
import path from "node:path";
import type { Config } from "../../src/config.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What a test app's operator would set to run the CLI against it: its servers, roles and secret. */
export function cliEnvOf(
  app: { servers: Record<string, string>; config: Config },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const { main, ...others } = app.servers;
  return {
    ...process.env,
    DATABASE_URL: main,
    SERVERS: JSON.stringify(others),
    APP_DB_ROLE: app.config.appRole.name,
    APP_DB_PASSWORD: app.config.appRole.password,
    HOST_DATABASE_PREFIX: app.config.defaults.hostDatabasePrefix,
    JWT_SECRET: app.config.auth.secret,
    ...extra,
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
