#!/usr/bin/env node
// `npx tenantgraph ...`: runs the CLI's build (dist/cli, bin/build-cli.js), made again first
// when a source is newer than it, after generating the Prisma clients when they are missing
// or older than a Prisma schema (a fresh clone installed with --ignore-scripts, or a schema
// changed since `npm ci`). When the build fails, the sources run through tsx instead.
import v8 from "node:v8";
import { buildCli, currentCliBuild } from "./build-cli.js";
import { clientsAreStale, generateClients } from "./generate-clients.js";

if (clientsAreStale()) {
  process.stderr.write("tenantgraph: generating the Prisma clients (npm run generate)...\n");
  if (!generateClients()) process.exit(1);
}

// Prisma's query compiler is WebAssembly: V8 compiles it a second time, optimized, in the
// background, which costs a short command more than it saves (migrate status: 0.5 -> 0.3 s
// of CPU; a loop of 800 queries too: 0.7 -> 0.4 s). Set before any WebAssembly is compiled.
v8.setFlagsFromString("--liftoff-only");

let entry = currentCliBuild();
if (!entry) {
  try {
    entry = await buildCli();
  } catch (error) {
    // esbuild's message starts "Build failed with N errors"; its first error says what went wrong.
    const reason = error?.errors?.[0]?.text ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
    process.stderr.write(`tenantgraph: could not build the CLI (${reason}); running its sources through tsx\n`);
  }
}
if (entry) await import(entry);
else {
  const { register } = await import("tsx/esm/api");
  register();
  // tsx turns on source maps, and Node then parses the map of every module it loads (Prisma's
  // runtime ships large ones): a tenth of the start-up. The CLI prints messages, not stacks.
  process.setSourceMapsEnabled(false);
  await import("../src/cli/main.ts");
}
