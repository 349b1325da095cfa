import { ErrorCodes, ClosedError } from '../errors/index.js';
import { asAbortError } from '../util/abort.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Counts outstanding operations against a high-water mark. `acquire` resolves at once while
 * fewer than `limit` are taken and waits (FIFO) otherwise; `release` frees one.
 */
export class Slots {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  private closedWith: Error | undefined;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be >= 1');
  }

  get inUse(): number {
    return this.used;
  }

  /** Takes a slot if one is free and nobody is waiting; never waits. */
  tryAcquire(): boolean {
    if (this.closedWith || this.used >= this.limit || this.waiters.length > 0) return false;
    this.used++;
    return true;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(asAbortError(signal.reason));
    if (this.used < this.limit && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(asAbortError(signal.reason));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(); // the slot passes straight to the waiter
      return;
    }
    if (this.used > 0) this.used--;
  }

  /** Rejects every waiter and every later acquire with `error`. */
  close(error: Error = new ClosedError(ErrorCodes.CLOSED, 'Closed')): void {
    this.closedWith ??= error;
    for (const w of this.waiters.splice(0)) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(error);
    }
  }
}
