/**
 * Fair service between peers on one event loop. Work is run through `run(key, task)`; the time the
 * synchronous part of each task takes is charged to the current *slice* (one turn of the event
 * loop). While the slice is under `sliceMs` and nothing waits, a task runs at once (the fast path:
 * one comparison and two clock reads). Past it, tasks wait in one FIFO per key, and the queue is
 * drained on later turns (`defer`, setImmediate by default, so socket reads come in between) one
 * task per key in turn, round-robin. A peer sending heavy requests back to back thus delays
 * another peer's request by about one of its own items, not by all of them.
 *
 * Memory: one array per key with waiting work, bounded by what the transport lets a peer have in
 * flight (`maxRequestsInFlight` × connections); a key is forgotten once its queue is empty.
 */
export interface FairSchedulerOptions {
  /** Synchronous work per event-loop turn before further work yields (ms). Default 4. 0 disables. */
  sliceMs?: number;
  /** Clock in ms (tests); default `performance.now`. */
  now?: () => number;
  /** Runs `fn` on a later turn; default `setImmediate`. */
  defer?: (fn: () => void) => void;
}

interface Waiting {
  task: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class FairScheduler {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;
  /** Work charged to this turn, ms. */
  private used = 0;
  private resetPending = false;
  private drainPending = false;
  /** Waiting tasks per key, in the order keys first queued (a Map keeps insertion order). */
  private readonly queues = new Map<string, Waiting[]>();
  private waiting = 0;
  private last: string | undefined;

  constructor(options: FairSchedulerOptions = {}) {
    this.sliceMs = options.sliceMs ?? 4;
    this.now = options.now ?? (() => performance.now());
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
  }

  /** Tasks waiting now, all keys. */
  get pending(): number {
    return this.waiting;
  }

  /** Keys with waiting tasks now. */
  get pendingKeys(): number {
    return this.queues.size;
  }

  /**
   * Runs `task` now or after the tasks of other keys had their turn. Returns the task's result (a
   * promise when it had to wait). A task that throws while waiting rejects the returned promise.
   */
  run<T>(key: string, task: () => T): T | Promise<Awaited<T>> {
    if (this.sliceMs <= 0 || (this.waiting === 0 && this.used < this.sliceMs)) {
      this.last = key;
      return this.charge(task);
    }
    return new Promise<Awaited<T>>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ task, resolve: resolve as (value: unknown) => void, reject });
      this.waiting++;
      this.scheduleDrain();
    });
  }

  private charge<T>(task: () => T): T {
    const start = this.now();
    try {
      return task();
    } finally {
      this.used += this.now() - start;
      if (!this.resetPending) {
        this.resetPending = true;
        this.defer(() => {
          this.resetPending = false;
          this.used = 0;
        });
      }
    }
  }

  private scheduleDrain(): void {
    if (this.drainPending) return;
    this.drainPending = true;
    this.defer(() => {
      this.drainPending = false;
      this.used = 0;
      this.drain();
    });
  }

  /** One task per key in turn until the slice is spent or nothing waits. */
  private drain(): void {
    // The key served last (the turn before) goes behind the others: a key whose work arrived while
    // that item ran is next, so it waits for at most one item of another key.
    if (this.queues.size > 1 && this.last !== undefined) {
      const queue = this.queues.get(this.last);
      if (queue) {
        this.queues.delete(this.last);
        this.queues.set(this.last, queue);
      }
    }
    while (this.waiting > 0 && this.used < this.sliceMs) {
      const [key, queue] = this.queues.entries().next().value as [string, Waiting[]];
      this.last = key;
      const next = queue.shift()!;
      this.waiting--;
      // The key goes to the back: the keys not served yet come first.
      this.queues.delete(key);
      if (queue.length > 0) this.queues.set(key, queue);
      try {
        next.resolve(this.charge(next.task));
      } catch (error) {
        next.reject(error);
      }
    }
    if (this.waiting > 0) this.scheduleDrain();
  }
}
