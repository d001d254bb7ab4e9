import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// The isolation suite runs a second time with the SCHEMA and SHARED tiers through PgBouncer
// (transaction pooling, test/helpers/pgbouncer.ts) when Debian's pgbouncer is installed.
const PGBOUNCER = process.env.PGBOUNCER_PATH ?? "/usr/sbin/pgbouncer";
const withPgBouncer = existsSync(PGBOUNCER);
if (!withPgBouncer) console.warn(`isolation suite through PgBouncer NOT run: no pgbouncer at ${PGBOUNCER}`);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds; Node (and so graphql-yoga) loads the CJS one, Vite
    // would pick the ESM one for our files, and `instanceof GraphQLError` would then fail
    // across the two copies. Make every import resolve to the file Node uses.
    alias: { graphql: require.resolve("graphql") },
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel (2 cores); each makes its own databases on the shared server.
    pool: "forks",
    projects: [
      // Each project names its files (an inherited `include` would be added to, not replaced).
      { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
      ...(withPgBouncer
        ? [
            {
              extends: true as const,
              test: {
                name: "pgbouncer",
                include: ["test/isolation/**/*.test.ts"],
                env: { TEST_VIA_PGBOUNCER: "1" },
              },
            },
          ]
        : []),
    ],
  },
});
