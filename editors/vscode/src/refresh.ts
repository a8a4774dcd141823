/**
 * Keeps a preview in step with its document without timers: a refresh asked for while one is
 * running is run once, right after it, however many times it was asked. Requests never overlap
 * and the last edit is always shown.
 */
export class CoalescingRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly task: () => Promise<void>) {}

  /** Runs the task now, or once more after the current run; resolves when that run is done. */
  request(): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** No run starts after this; a run in progress finishes. */
  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.task();
      } catch {
        // The task shows its own failures; the next request runs it afresh.
      }
    } while (this.again && !this.stopped);
  }
}
