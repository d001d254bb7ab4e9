// One PostgreSQL server for the whole run: the embedded one unless TEST_DATABASE_URL names
// an existing server (superuser URL). Each test file makes its own databases on it, so
// files run in parallel without sharing rows. The server is stopped even when tests fail.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { randomPassword, startEmbeddedPostgres } from "../src/data/embedded-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server the tests may create databases on. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresUrl", external);
    return;
  }
  // Under /tmp, not the checkout: the postgres system user must reach it when run as root.
  const scratch = await mkdtemp(path.join(tmpdir(), "tenantgraph-test-"));
  await chmod(scratch, 0o755); // mkdtemp makes it 700
  const server = await startEmbeddedPostgres({ dataDir: path.join(scratch, "pg"), password: randomPassword() });
  project.provide("postgresUrl", server.url);
  return async () => {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  };
}
