#!/usr/bin/env node
// `npx tenantgraph ...`: runs the TypeScript CLI through tsx (no build step), after generating
// the Prisma clients when they are missing or older than a Prisma schema (a fresh clone
// installed with --ignore-scripts, or a schema changed since `npm ci`).
import { register } from "tsx/esm/api";
import { clientsAreStale, generateClients } from "./generate-clients.js";

if (clientsAreStale()) {
  process.stderr.write("tenantgraph: generating the Prisma clients (npm run generate)...\n");
  if (!generateClients()) process.exit(1);
}

register();
// tsx turns on source maps, and Node then parses the map of every module it loads (Prisma's
// runtime ships large ones): a tenth of the start-up. The CLI prints messages, not stacks.
process.setSourceMapsEnabled(false);
await import("../src/cli/main.ts");
