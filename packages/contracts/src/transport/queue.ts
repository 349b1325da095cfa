import { ClosedError, ErrorCodes, TransportError } from '../errors/index.js';
import { asAbortError } from '../util/abort.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A FIFO bounded by a high-water mark. `push` resolves as soon as the item is queued and waits
 * while the queue is full (or rejects with `ERR_QUEUE_FULL` when `onFull` is `'reject'`).
 * `shift` waits for an item. `close` rejects every waiter with `ERR_CLOSED` (or the given error).
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private readonly pushWaiters: Waiter[] = [];
  private readonly shiftWaiters: Array<{ resolve(item: T | undefined): void }> = [];
  private closedWith: Error | undefined;
  private ended = false;

  constructor(
    readonly highWaterMark: number,
    private readonly onFull: 'wait' | 'reject' = 'wait',
  ) {
    if (!(highWaterMark >= 1)) throw new RangeError('highWaterMark must be >= 1');
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.highWaterMark;
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined || this.ended;
  }

  /** Queues without waiting, ignoring the mark (for items already accepted elsewhere). */
  force(item: T): void {
    if (this.isClosed) throw this.closedWith ?? new ClosedError(ErrorCodes.CLOSED, 'queue is closed');
    const waiter = this.shiftWaiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  /** Queues `item` if there is room; returns false otherwise. */
  tryPush(item: T): boolean {
    if (this.isClosed) throw this.closedWith ?? new ClosedError(ErrorCodes.CLOSED, 'queue is closed');
    if (this.full && this.shiftWaiters.length === 0) return false;
    this.force(item);
    return true;
  }

  async push(item: T, signal?: AbortSignal): Promise<void> {
    while (!this.tryPush(item)) {
      if (this.onFull === 'reject') {
        throw new TransportError(ErrorCodes.QUEUE_FULL, `queue is at its high-water mark (${this.highWaterMark})`);
      }
      await this.waitForRoom(signal);
    }
  }

  /** Resolves when the queue has room (immediately if it has). */
  waitForRoom(signal?: AbortSignal): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closedWith ?? new ClosedError(ErrorCodes.CLOSED, 'queue is closed'));
    if (!this.full) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(asAbortError(signal.reason));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.pushWaiters.indexOf(waiter);
          if (i >= 0) this.pushWaiters.splice(i, 1);
          reject(asAbortError(signal.reason));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.pushWaiters.push(waiter);
    });
  }

  /** Takes the next item without waiting. */
  tryShift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.wakePusher();
    return item;
  }

  /** Resolves with the next item, or undefined once the queue is ended/closed and empty. */
  shift(): Promise<T | undefined> {
    const item = this.tryShift();
    if (item !== undefined || this.size > 0) return Promise.resolve(item);
    if (this.isClosed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.shiftWaiters.push({ resolve }));
  }

  /** Drops every queued item (returns them) and wakes pushers. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    while (this.pushWaiters.length > 0) this.wakePusher();
    return out;
  }

  /** No more pushes; readers get the remaining items, then undefined. */
  end(): void {
    this.ended = true;
    this.failPushers(new ClosedError(ErrorCodes.CLOSED, 'queue is closed'));
    this.flushShifters();
  }

  /** Ends the queue and rejects pending pushes with `error`. Queued items stay readable. */
  close(error: Error = new ClosedError(ErrorCodes.CLOSED, 'queue is closed')): void {
    this.closedWith ??= error;
    this.failPushers(error);
    this.flushShifters();
  }

  private flushShifters(): void {
    if (this.size === 0) for (const w of this.shiftWaiters.splice(0)) w.resolve(undefined);
  }

  private failPushers(error: Error): void {
    for (const w of this.pushWaiters.splice(0)) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(error);
    }
  }

  private wakePusher(): void {
    const w = this.pushWaiters.shift();
    if (!w) return;
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    w.resolve();
  }
}
