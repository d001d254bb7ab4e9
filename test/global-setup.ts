// Two PostgreSQL servers for the whole run, so that organizations on a second server are
// tested like those on the first: the embedded ones unless TEST_DATABASE_URL (and
// TEST_SECOND_DATABASE_URL) name existing servers (superuser URLs). Each test file makes
// its own databases, so files run in parallel without sharing rows. The servers are
// stopped even when tests fail.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { randomPassword, startEmbeddedPostgres, type EmbeddedServer } from "../src/data/embedded-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server the tests may create databases and roles on. */
    postgresUrl: string;
    /** A second, independent server (organizations placed on server "second"). */
    secondPostgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Under /tmp, not the checkout: the postgres system user must reach it when run as root.
  const scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-test-"));
  await chmod(scratch, 0o755); // mkdtemp makes it 700
  const started: EmbeddedServer[] = [];
  const serverUrl = async (configured: string | undefined, name: string) => {
    if (configured) return configured;
    const server = await startEmbeddedPostgres({ dataDir: path.join(scratch, name), password: randomPassword() });
    started.push(server);
    return server.url;
  };
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop()));
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    const [first, second] = await Promise.all([
      serverUrl(process.env.TEST_DATABASE_URL, "pg1"),
      serverUrl(process.env.TEST_SECOND_DATABASE_URL, "pg2"),
    ]);
    project.provide("postgresUrl", first);
    project.provide("secondPostgresUrl", second);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
