// Two PostgreSQL servers for the whole run, so that organizations on a second server are
// tested like those on the first: the embedded ones unless TEST_DATABASE_URL (and
// TEST_SECOND_DATABASE_URL) name existing servers (superuser URLs). Each test file makes
// its own databases, so files run in parallel without sharing rows. The servers are
// stopped even when tests fail.
import type { TestProject } from "vitest/node";
import { startScratchPostgres, type ScratchServer } from "../src/data/scratch-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server the tests may create databases and roles on. */
    postgresUrl: string;
    /** A second, independent server (organizations placed on server "second"). */
    secondPostgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const started: ScratchServer[] = [];
  const serverUrl = async (configured: string | undefined, name: string) => {
    if (configured) return configured;
    const server = await startScratchPostgres(`test-${name}`);
    started.push(server);
    return server.url;
  };
  const stopAll = () => Promise.all(started.map((s) => s.stop()));
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
