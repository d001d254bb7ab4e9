// docker-compose.yml and the Dockerfile, checked without a docker daemon: every environment
// variable the tenantgraph services set is one src/config.ts reads (a typo or a removed
// setting fails here, not silently in a container), migrations run once before the API, every
// long-running service has a healthcheck, and the image is multi-stage and runs unprivileged.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_ENV_KEYS } from "../../src/config.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const { services } = compose;
const envKeys = (service: Service) =>
  Array.isArray(service.environment)
    ? service.environment.map((e) => e.split("=")[0]!)
    : Object.keys(service.environment ?? {});

describe("docker-compose.yml", () => {
  it("sets only environment variables the configuration reads", () => {
    expect(CONFIG_ENV_KEYS).toContain("DATABASE_URL");
    for (const name of ["api", "migrate"]) {
      const keys = envKeys(services[name]!);
      expect(keys, name).toContain("DATABASE_URL");
      expect(
        keys.filter((k) => !CONFIG_ENV_KEYS.includes(k)),
        name,
      ).toEqual([]);
    }
  });

  it("shares one application-role password and secret between migrate and api", () => {
    const env = (name: string) => services[name]!.environment as Record<string, string>;
    for (const key of ["DATABASE_URL", "SERVERS", "JWT_SECRET", "APP_DB_PASSWORD"])
      expect(env("api")[key], key).toBe(env("migrate")[key]);
  });

  it("builds one image, migrates once, and starts the API after the migration succeeded", () => {
    expect(services.api!.build).toBeDefined();
    expect(services.migrate!.image).toBe(services.api!.image);
    expect(services.migrate!.command).toEqual(["node", "bin/tenantgraph.js", "migrate"]); // the CLI built in the image
    expect(services.migrate!.restart).toBe("no");
    expect(services.api!.depends_on).toMatchObject({
      migrate: { condition: "service_completed_successfully" },
      central: { condition: "service_healthy" },
      "org-2": { condition: "service_healthy" },
    });
    expect(services.migrate!.depends_on).toMatchObject({
      central: { condition: "service_healthy" },
      "org-2": { condition: "service_healthy" },
    });
  });

  it("has a healthcheck on every long-running service", () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.restart === "no") continue; // one-shot: its exit code is its health
      expect(service.healthcheck?.test, name).toBeDefined();
    }
    expect(services.api!.healthcheck!.test!.join(" ")).toContain("/health/db");
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");

  it("is multi-stage, generates clients at build time, runs unprivileged with a healthcheck", () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm run generate/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    // The CLI is built in the runtime stage, after every COPY (so nothing is newer than it), and started once.
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
    const buildCli = runtime.search(/^RUN node bin\/build-cli\.js && node bin\/tenantgraph\.js --help/m);
    expect(buildCli).toBeGreaterThan(runtime.lastIndexOf("\nCOPY "));
    expect(buildCli).toBeLessThan(runtime.indexOf("\nUSER node"));
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/health\/db/m);
    // The runtime stage copies what runs, not the whole context (no tests, no .git, no local data).
    expect(runtime).not.toMatch(/^COPY \. /m);
    for (const entry of ["node_modules", ".tenantgraph", ".git", "src/data/generated"])
      expect(ignored, entry).toContain(entry);
  });
});

describe("the server's V8 flags", () => {
  // The image, `npm start` and the benchmarks (whose servers are measured "as deployed") run the
  // server with the same young-generation size: README "Production checklist".
  const FLAG = "--max-semi-space-size=32";
  const scripts = (
    JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;

  it("are the same in the image, npm start and npm run bench", () => {
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^CMD \["node", "--max-semi-space-size=32", "--import", "tsx", "src\/main\.ts"\]$/m);
    expect(scripts.start).toBe(`node ${FLAG} --import tsx src/main.ts`);
    expect(scripts.bench).toBe(`node ${FLAG} --import tsx bench/run.ts`);
  });

  it("reach the request-path benchmark's servers, which run in a child process", () => {
    const bench = readFileSync(path.join(ROOT, "bench/request-path.ts"), "utf8");
    expect(bench).toMatch(/spawn\(process\.execPath, \[\.\.\.process\.execArgv,/);
  });
});
