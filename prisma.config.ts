// Prisma 7's CLI looks for a native schema engine before every command and tries to
// download it; this machine has no internet. `generate` never runs that engine, so any
// existing path satisfies the check. Migrations are applied by src/data/migrator.ts.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/central/schema.prisma",
});
