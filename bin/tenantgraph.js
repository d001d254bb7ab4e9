#!/usr/bin/env node
// `npx tenantgraph ...`: runs the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
