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
await import("../src/cli/main.ts");
