// npm run bench -- <name> [options]. Each benchmark measures a baseline in the same run and
// reports ratios against it (this machine is noisy; absolute numbers mean little).
const benches: Record<string, () => Promise<{ default: (args: string[]) => Promise<void> }>> = {
  "request-path": () => import("./request-path.ts"),
  fleet: () => import("./fleet.ts"),
  scale: () => import("./scale.ts"),
  abuse: () => import("./abuse.ts"),
  "role-switch": () => import("./role-switch.ts"),
  shutdown: () => import("./shutdown.ts"),
  "observe-overhead": () => import("./observe-overhead.ts"),
  move: () => import("./move.ts"),
  cli: () => import("./cli.ts"),
};

const [name = "request-path", ...args] = process.argv.slice(2);
const load = benches[name];
if (!load) {
  console.error(`unknown benchmark "${name}"; available: ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
await (await load()).default(args);
