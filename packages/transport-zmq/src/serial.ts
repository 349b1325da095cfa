/**
 * Runs async tasks one at a time, in the order given. zeromq.js allows one pending `send()` per
 * socket (a second one throws `EBUSY`), so every socket we write to sends through one of these.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks queued or running. */
  get size(): number {
    return this.queued;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task).finally(() => {
      this.queued--;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
