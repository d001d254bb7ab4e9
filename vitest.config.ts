import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds; Node (and so graphql-yoga) loads the CJS one, Vite
    // would pick the ESM one for our files, and `instanceof GraphQLError` would then fail
    // across the two copies. Make every import resolve to the file Node uses.
    alias: { graphql: require.resolve("graphql") },
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel (2 cores); each makes its own databases on the shared server.
    pool: "forks",
  },
});
