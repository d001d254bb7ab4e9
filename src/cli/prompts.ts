// What several commands share around their work: a check that reports like an argument
// error, and the confirmation destructive or data-revealing commands ask for.
import { createInterface } from "node:readline/promises";
import { InvalidArgumentError, type Command } from "commander";

export const say = (line: string) => process.stderr.write(`${line}\n`);

/** Checks that need more than one argument (or the configuration) run here, still before any database work. */
export async function check(command: Command, checks: () => void | Promise<void>): Promise<void> {
  try {
    await checks();
  } catch (error) {
    if (error instanceof InvalidArgumentError) command.error(`error: ${error.message}`);
    throw error;
  }
}

/** Destructive or data-revealing commands ask first; scripts pass --yes. */
export async function confirm(question: string, expected: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new Error("refusing without --yes: no terminal to ask for confirmation");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} Type "${expected}" to confirm: `);
  rl.close();
  if (answer.trim() !== expected) throw new Error("not confirmed; nothing done");
}
