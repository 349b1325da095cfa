/**
 * Counts operations in flight against a limit (the high-water mark). `acquire` grants a slot at
 * once while there is room and queues the request (FIFO) otherwise; `release` frees a slot or
 * hands it straight to the next in line. Callback-based so the common case costs no promise.
 */
export class InflightWindow {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be >= 1');
  }

  get inUse(): number {
    return this.used;
  }

  /** Calls `granted` now if there is room; otherwise later, in order. Returns a function that withdraws a waiting request. */
  acquire(granted: () => void): () => void {
    if (this.used < this.limit && this.waiters.length === 0) {
      this.used++;
      granted();
      return noop;
    }
    this.waiters.push(granted);
    return () => {
      const i = this.waiters.indexOf(granted);
      if (i >= 0) this.waiters.splice(i, 1);
    };
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else if (this.used > 0) this.used--;
  }
}

function noop(): void {}
