// Work an answer must not wait for: mail delivery, and the account steps whose duration
// would tell a caller whether an email has an account (requestPasswordReset, signUp's mail).
// Failures go to the log. drain() lets shutdown (and tests) wait for what was started.
import type { Logger } from "pino";

export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    // Started on a later turn of the event loop: the answer goes out first, so its timing
    // does not include (or compete with) this work.
    const task = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error }, `background task failed: ${name}`),
      )
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once every task started so far (and any they start) has ended. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
