// Terminal output for the operator CLI: aligned tables, a progress bar for fleet work
// (redrawn in place on a terminal, a line per ten percent otherwise), and JSON for scripts.

export function printTable(rows: Array<Record<string, unknown>>, columns?: string[]): void {
  if (rows.length === 0) {
    process.stdout.write("(none)\n");
    return;
  }
  const keys = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((row) => keys.map((k) => (row[k] === null || row[k] === undefined ? "-" : String(row[k]))));
  const widths = keys.map((k, i) => Math.min(60, Math.max(k.length, ...cells.map((c) => c[i]!.length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${line(keys.map((k) => k.toUpperCase()))}\n`);
  process.stdout.write(`${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export class ProgressBar {
  private lastDecile = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly enabled = true,
  ) {}

  update(done: number, total: number, counts: Record<string, number>): void {
    if (!this.enabled || total === 0) return;
    const summary = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    if (this.tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(
        `\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${summary}\x1b[K`,
      );
      if (done === total) process.stderr.write("\n");
      return;
    }
    const decile = Math.floor((done / total) * 10);
    if (decile !== this.lastDecile || done === total) {
      this.lastDecile = decile;
      process.stderr.write(`${this.label}: ${done}/${total} ${summary}\n`);
    }
  }

  /** A line that must not be overwritten by the bar (a failure). */
  note(line: string): void {
    if (!this.enabled) return;
    process.stderr.write(`${this.tty ? "\r\x1b[K" : ""}${line}\n`);
  }
}
