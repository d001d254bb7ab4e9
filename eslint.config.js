// Lint rules that keep the code's shape: layers import only downward, no import cycles, and
// only the tenancy and data layers may use a database client (everything else sees ctx.db or
// a service). Formatting is Prettier's (npm run lint checks both).
import importX from "eslint-plugin-import-x";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

// Top to bottom: a layer may import the layers below it, never one above.
const LAYERS = [
  ["src/main.ts", "src/app.ts", "src/demo.ts", "src/metrics-listener.ts", "src/cli"], // start-up wiring and the operator CLI
  ["src/http"], // the Yoga server and its plugins
  ["src/auth"], // tokens -> ctx.user
  ["src/tenancy"], // organization -> placement -> ctx.db
  ["src/graphql"], // the schema: resolvers call services
  ["src/accounts", "src/braid", "src/lifecycle", "src/limits", "src/monitoring"], // services: central data, organization data, lifecycle, quotas, monitoring
  ["src/data"], // clients, migrations, placement, SQL identifiers
  [
    "src/config.ts",
    "src/config", // the pieces src/config.ts assembles
    "src/rate-limits-config.ts",
    "src/errors.ts",
    "src/ids.ts",
    "src/text-search.ts",
    "src/local-secrets.ts",
    "src/logger.ts",
    "src/observe-config.ts",
    "src/version.ts",
    "src/metrics",
  ], // shared basics
];

// The generated enums are facts of the Prisma schemas that every layer may name (values too).
const ENUMS = ["./generated/central/enums.ts", "./generated/tenant/enums.ts"];

const layerZones = LAYERS.slice(1).flatMap((layer, above) =>
  layer.flatMap((target) =>
    LAYERS.slice(0, above + 1)
      .flat()
      .map((from) => ({
        target: `./${target}`,
        from: `./${from}`,
        except: from === "src/data" ? ENUMS : [],
        message: "imports run down the layers only (README: Code map)",
      })),
  ),
);

// Type imports stay allowed: a service may name CentralDb or TenantDb in a signature.
const DATABASE_CLIENTS = {
  paths: ["pg", "@prisma/client", "@prisma/adapter-pg"].map((name) => ({
    name,
    allowTypeImports: true,
    message: "only src/tenancy and src/data may use a database client",
  })),
  patterns: [
    {
      allowTypeImports: true,
      group: ["**/data/tenant-client*", "**/data/central-client*", "**/generated/*/client*"],
      message: "only src/tenancy and src/data may use a database client; resolvers use ctx.db, services their scope",
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "src/data/generated/",
      "operations/generated/",
      ".tenantgraph/",
      "test-output/",
      "dist/",
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    settings: { "import-x/resolver": { node: { extensions: [".ts", ".js"] } } },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: layerZones }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: [
      "src/http/**",
      "src/auth/**",
      "src/graphql/**",
      "src/accounts/**",
      "src/braid/**",
      "src/lifecycle/**",
      "src/limits/**",
      "src/monitoring/**",
    ],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", DATABASE_CLIENTS] },
  },
  {
    files: ["test/**", "bench/**", "scripts/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
  prettier,
);
