/**
 * A pool of `node:worker_threads` workers for CPU-heavy request handlers (RSA private-key ops in
 * the auth handshake), independent of the transport that brought the request.
 *
 * - Dispatch: a task goes to the least-busy worker (fewest tasks in flight, ties round-robin).
 * - Backpressure: each worker holds at most `maxInFlightPerWorker` tasks; beyond that tasks wait
 *   in one pool-wide queue of at most `maxQueued` and go to the first worker that frees a slot.
 *   When that queue is full too, `run()` rejects at once (TransportError `ERR_QUEUE_FULL`): the caller sheds
 *   load (a master answers the request with an error) instead of growing memory without bound.
 * - Priority: `run(..., { priority: 'low' })` tasks (a master's sign-ins) wait in a queue of their
 *   own, are dispatched only when no normal task waits, and leave one slot per worker free for
 *   normal tasks (a signed-in minion's request never waits behind a sign-in storm's queue).
 * - Errors: a task that throws rejects with the worker's BrineError class and code, or with
 *   `errorCode` (default `ERR_HANDLER`) for any other error; `cause` is the worker's error.
 * - Crashes: a worker that exits rejects its in-flight tasks with a TransportError
 *   `ERR_CONNECTION_LOST` (not retried: the op may have run) and is replaced at once. A worker that fails to start (module missing,
 *   `init` threw) rejects its tasks with a ConfigError `ERR_CONFIG`; it is replaced only when the
 *   next task needs it, so a broken module cannot spin.
 * - Lifetime: workers keep the process alive while the pool is open (a master wants them), unless
 *   `unref` is set, in which case a worker holds the process only while it runs tasks. `close()`
 *   rejects everything pending with ERR_CLOSED and terminates the workers; nothing is left behind.
 */
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import type { BrineError } from '@brine/contracts';
import { ClosedError, ConfigError, ErrorCodes, TransportError, type ErrorCode, type Logger } from '@brine/contracts';
import { WorkerSlot, type PoolTask } from './worker-slot.js';

export interface WorkerPoolOptions {
  /** The worker module (a `file:` URL or an absolute path); it calls `serveWorker()`. */
  module: URL | string;
  /** Number of workers. Default `os.availableParallelism()`. */
  size?: number;
  /** Tasks in flight per worker before tasks queue in the pool. Default 8. */
  maxInFlightPerWorker?: number;
  /** Tasks waiting in the pool when every worker is full; one more rejects with ERR_QUEUE_FULL. Default 1024. */
  maxQueued?: number;
  /** Given to each worker as `workerData` (structured-cloned). */
  workerData?: unknown;
  /** Code for a worker error that carries no Brine code. Default `ERR_HANDLER`. */
  errorCode?: ErrorCode;
  /** Let the process exit while workers are idle (they hold it only while running tasks). Default false. */
  unref?: boolean;
  resourceLimits?: ResourceLimits;
  /** Worker crashes and start failures are logged here. */
  logger?: Logger;
}

export interface WorkerStats {
  threadId: number;
  ready: boolean;
  inFlight: number;
  /** Tasks this worker answered (setup ops not counted). */
  completed: number;
}

export interface WorkerRunOptions {
  /** `low`: behind every normal task, and never in a worker's last free slot. Default `normal`. */
  priority?: 'normal' | 'low';
}

export interface WorkerPoolStats {
  size: number;
  /** Tasks waiting, both priorities. */
  queued: number;
  /** Of which low-priority. */
  queuedLow: number;
  closed: boolean;
  workers: WorkerStats[];
}

const DEFAULT_IN_FLIGHT = 8;
const DEFAULT_QUEUED = 1024;

export class WorkerPool {
  readonly size: number;
  readonly #options: WorkerPoolOptions;
  readonly #maxInFlight: number;
  readonly #maxQueued: number;
  readonly #slots: Array<WorkerSlot | undefined>;
  readonly #queue: PoolTask[] = [];
  readonly #low: PoolTask[] = [];
  readonly #setups = new Map<string, { op: string; args: readonly unknown[] }>();
  #nextId = 1;
  #cursor = 0;
  #closing: Promise<void> | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.size = positiveInt('size', options.size ?? availableParallelism());
    this.#maxInFlight = positiveInt('maxInFlightPerWorker', options.maxInFlightPerWorker ?? DEFAULT_IN_FLIGHT);
    this.#maxQueued = nonNegativeInt('maxQueued', options.maxQueued ?? DEFAULT_QUEUED);
    this.#slots = Array.from({ length: this.size }, () => undefined);
    for (let i = 0; i < this.size; i++) this.#spawn(i);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Runs `op(...args)` on the least-busy worker. `transferList` moves buffers instead of copying them. */
  run<T = unknown>(
    op: string,
    args: readonly unknown[] = [],
    transferList?: readonly TransferListItem[],
    options: WorkerRunOptions = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError(ErrorCodes.CLOSED, 'Worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const task: PoolTask = {
        id: this.#nextId++,
        kind: 'task',
        op,
        args,
        transferList,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const low = options.priority === 'low';
      const queue = low ? this.#low : this.#queue;
      // A low task never overtakes a waiting normal one.
      const slot = low ? (this.#queue.length > 0 ? undefined : this.#pick(this.#lowLimit)) : this.#pick();
      if (slot !== undefined) this.#dispatch(slot, task);
      else if (queue.length < this.#maxQueued) queue.push(task);
      else {
        const details = {
          queued: queue.length,
          priority: low ? 'low' : 'normal',
          size: this.size,
          maxInFlightPerWorker: this.#maxInFlight,
        };
        reject(new TransportError(ErrorCodes.QUEUE_FULL, 'Worker pool queue is full', { details }));
      }
    });
  }

  /** Runs `op` once on every live worker (outside the per-worker bound). */
  broadcast(op: string, args: readonly unknown[] = []): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new ClosedError(ErrorCodes.CLOSED, 'Worker pool is closed'));
    return Promise.all(this.#liveSlots().map((slot) => this.#post(slot, 'setup', op, args)));
  }

  /**
   * Runs `op` on every worker now and on every worker started later (replacements), before any
   * task that worker gets after it; `name` identifies it for {@link removeSetup}. Resolves when
   * the current workers have run it.
   */
  addSetup(name: string, op: string, args: readonly unknown[] = []): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError(ErrorCodes.CLOSED, 'Worker pool is closed'));
    this.#setups.set(name, { op, args });
    return this.broadcast(op, args).then(() => undefined);
  }

  /** Stops replaying a setup on new workers. */
  removeSetup(name: string): boolean {
    return this.#setups.delete(name);
  }

  /** Resolves when every worker has started; rejects with the start failure of one that did not. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError(ErrorCodes.CLOSED, 'Worker pool is closed'));
    return Promise.all(this.#slots.map((_, i) => (this.#slots[i] ?? this.#spawn(i)).started)).then(() => undefined);
  }

  stats(): WorkerPoolStats {
    const workers = this.#liveSlots().map((slot) => slot.stats());
    const queued = this.#queue.length + this.#low.length;
    return { size: this.size, queued, queuedLow: this.#low.length, closed: this.closed, workers };
  }

  /** Rejects queued and in-flight tasks with ERR_CLOSED and terminates the workers. Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const closedError = () => new ClosedError(ErrorCodes.CLOSED, 'Worker pool closed');
    for (const task of [...this.#queue.splice(0), ...this.#low.splice(0)]) task.reject(closedError());
    const slots = this.#liveSlots();
    this.#slots.fill(undefined);
    this.#closing = Promise.all(slots.map((slot) => slot.terminate(closedError))).then(() => undefined);
    return this.#closing;
  }

  #liveSlots(): WorkerSlot[] {
    return this.#slots.filter((slot): slot is WorkerSlot => slot !== undefined);
  }

  #spawn(index: number): WorkerSlot {
    const { module, workerData, resourceLimits, unref = false } = this.#options;
    const worker = new Worker(module, { workerData, resourceLimits });
    const slot = new WorkerSlot(worker, unref, this.#options.errorCode ?? ErrorCodes.HANDLER, {
      onIdle: () => this.#pump(),
      onStartFailure: (error) => this.#onStartFailure(index, slot, error),
      onExit: (error) => this.#onCrash(index, slot, error),
    });
    this.#slots[index] = slot;
    for (const { op, args } of this.#setups.values()) this.#post(slot, 'setup', op, args).catch(() => {});
    return slot;
  }

  #post(slot: WorkerSlot, kind: PoolTask['kind'], op: string, args: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#dispatch(slot, { id: this.#nextId++, kind, op, args, transferList: undefined, resolve, reject });
    });
  }

  #dispatch(slot: WorkerSlot, task: PoolTask): void {
    try {
      slot.send(task);
    } catch (error) {
      task.reject(
        new ConfigError(ErrorCodes.INVALID_ARGUMENT, `Cannot send task "${task.op}" to a worker`, { cause: error }),
      );
    }
  }

  /** Tasks in flight per worker that low-priority tasks may fill: all but one (one when the bound is 1). */
  get #lowLimit(): number {
    return Math.max(1, this.#maxInFlight - 1);
  }

  /** The least-busy worker with room (below `limit` in flight), spawning missing ones; undefined when all are full. */
  #pick(limit = this.#maxInFlight): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (let k = 0; k < this.size; k++) {
      const i = (this.#cursor + k) % this.size;
      const slot = this.#slots[i] ?? this.#spawn(i);
      if (slot.inFlight >= limit) continue;
      if (best === undefined || slot.inFlight < best.inFlight) best = slot;
      if (slot.inFlight === 0) break;
    }
    this.#cursor = (this.#cursor + 1) % this.size;
    return best;
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.closed) {
      const slot = this.#pick();
      if (slot === undefined) return;
      this.#dispatch(slot, this.#queue.shift()!);
    }
    while (this.#low.length > 0 && !this.closed) {
      const slot = this.#pick(this.#lowLimit);
      if (slot === undefined) return;
      this.#dispatch(slot, this.#low.shift()!);
    }
  }

  #onCrash(index: number, slot: WorkerSlot, error: BrineError): void {
    if (this.closed || this.#slots[index] !== slot) return;
    this.#options.logger?.error(`Worker ${slot.threadId} exited; replacing it`, error);
    this.#spawn(index);
    this.#pump();
  }

  #onStartFailure(index: number, slot: WorkerSlot, error: BrineError): void {
    if (this.closed || this.#slots[index] !== slot) return;
    this.#options.logger?.error(`Worker ${slot.threadId} failed to start`, error);
    this.#slots[index] = undefined;
    // Queued tasks would wait for ever if no worker can take them: give them the start failure.
    if (this.#slots.every((s) => s === undefined)) {
      for (const task of [...this.#queue.splice(0), ...this.#low.splice(0)]) task.reject(error);
    }
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `WorkerPool ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `WorkerPool ${name} must be an integer >= 0, got ${value}`);
  }
  return value;
}
