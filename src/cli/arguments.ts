// The operator CLI's argument checks. They run while commander parses, or at the top of an
// action, always before any database work: a wrong argument fails in milliseconds with one
// line, without starting the embedded PostgreSQL or connecting to DATABASE_URL. Light
// imports only (commander, the slug rules, the generated enums): every command loads this.
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option } from "commander";
import { Tier } from "../data/generated/central/enums.ts";
import { ProvisionInputError, databaseNameFor } from "../lifecycle/org-slug.ts";

/** From the generated enum: prisma/central/schema.prisma is the one list of tiers. */
export const TIERS = Object.values(Tier);

/** An option whose value is one of `values`, in any case (`--tier schema` is SCHEMA). */
export function enumOption<T extends string>(flags: string, description: string, values: readonly T[]): Option {
  return new Option(flags, `${description}: ${values.join(", ")} (any case)`).argParser((value: string): T => {
    const match = values.find((v) => v === value.toUpperCase());
    if (!match) throw new InvalidArgumentError(`must be one of ${values.join(", ")}`);
    return match;
  });
}

export const tierOption = () => enumOption("--tier <tier>", "isolation tier", TIERS);

/** A slug as provisioning accepts it; checked before anything is looked up. */
export function slugArgument(value: string): string {
  try {
    databaseNameFor(value);
  } catch (error) {
    if (error instanceof ProvisionInputError)
      throw new InvalidArgumentError(`slug "${value}": ${error.message.replace(/^slug: /, "")}`);
    throw error;
  }
  return value;
}

export function slugListArgument(value: string, previous: string[] = []): string[] {
  return [...previous, slugArgument(value)];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

/** `--name` when not given: the slug's words, capitalized ("acme-corp" -> "Acme Corp"). */
export function nameFromSlug(slug: string): string {
  return slug
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/** The server names this configuration knows ("main" is always the central database's server). */
export async function checkServer(server: string | undefined): Promise<void> {
  if (server === undefined) return;
  // Only now: loading the configuration (zod) is a good part of a command's start-up.
  const { loadConfig } = await import("../config.ts");
  const known = ["main", ...Object.keys(loadConfig().servers)];
  if (!known.includes(server))
    throw new InvalidArgumentError(
      `unknown server "${server}" (configured: ${known.join(", ")}; add servers with SERVERS)`,
    );
}

export function checkReadableFile(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new InvalidArgumentError(`cannot read ${file}`);
  }
}

export function checkWritableTarget(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir)) throw new InvalidArgumentError(`directory ${dir} does not exist`);
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
