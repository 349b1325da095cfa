/**
 * One worker of a {@link WorkerPool}: its tasks in flight, start state, ref/unref, and what its
 * death means for those tasks. Internal to the pool.
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import {
  ClosedError,
  ConfigError,
  ErrorCodes,
  TransportError,
  type BrineError,
  type ErrorCode,
} from '@brine/contracts';
import { remoteError, reviveError, type FromWorker, type ToWorker } from './worker-protocol.js';

export interface PoolTask {
  id: number;
  /** `setup` ops are ordered before later messages and not counted in `completed`. */
  kind: 'task' | 'setup';
  op: string;
  args: readonly unknown[];
  transferList: readonly TransferListItem[] | undefined;
  resolve: (value: unknown) => void;
  reject: (error: BrineError) => void;
}

export interface SlotEvents {
  /** A task finished: the slot has room again. */
  onIdle(): void;
  /** The worker could not start; its tasks were rejected with `error`. */
  onStartFailure(error: BrineError): void;
  /** The worker exited after starting; its tasks were rejected with `error`. */
  onExit(error: BrineError): void;
}

export class WorkerSlot {
  readonly threadId: number;
  /** Settles when the worker reports ready or fails to start (never rejects unhandled). */
  readonly started: Promise<void>;
  readonly #worker: Worker;
  readonly #unref: boolean;
  readonly #errorCode: ErrorCode;
  readonly #events: SlotEvents;
  readonly #tasks = new Map<number, PoolTask>();
  #ready = false;
  #dead = false;
  #completed = 0;
  #lastError: unknown;
  #settleStart!: (error?: BrineError) => void;

  constructor(worker: Worker, unref: boolean, errorCode: ErrorCode, events: SlotEvents) {
    this.#worker = worker;
    this.threadId = worker.threadId;
    this.#unref = unref;
    this.#errorCode = errorCode;
    this.#events = events;
    this.started = new Promise<void>((resolve, reject) => {
      this.#settleStart = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.started.catch(() => {});
    if (unref) worker.unref();
    worker.on('message', (message: FromWorker) => this.#onMessage(message));
    worker.on('error', (error) => {
      this.#lastError = error;
    });
    worker.on('exit', (code) => this.#onExit(code));
  }

  get inFlight(): number {
    return this.#tasks.size;
  }

  stats(): { threadId: number; ready: boolean; inFlight: number; completed: number } {
    return { threadId: this.threadId, ready: this.#ready, inFlight: this.#tasks.size, completed: this.#completed };
  }

  /** Posts a task; throws (DataCloneError) when its arguments cannot be cloned. */
  send(task: PoolTask): void {
    if (this.#dead) throw new ClosedError(ErrorCodes.CLOSED, 'Worker has exited');
    const message: ToWorker = { t: task.kind, id: task.id, op: task.op, args: task.args };
    this.#worker.postMessage(message, task.transferList);
    this.#tasks.set(task.id, task);
    if (this.#unref && this.#tasks.size === 1) this.#worker.ref();
  }

  /** Rejects every task with `error()` and stops the worker. */
  async terminate(error: () => BrineError): Promise<void> {
    if (!this.#dead) {
      this.#dead = true;
      this.#settleStart(error());
      this.#rejectAll(error);
    }
    await this.#worker.terminate();
  }

  #onMessage(message: FromWorker): void {
    if (this.#dead) return;
    switch (message.t) {
      case 'ready':
        this.#ready = true;
        this.#settleStart();
        return;
      case 'init-error':
        this.#startFailed(remoteError(message.error));
        return;
      case 'done': {
        const task = this.#tasks.get(message.id);
        if (task === undefined) return;
        this.#tasks.delete(message.id);
        if (this.#unref && this.#tasks.size === 0) this.#worker.unref();
        if (task.kind === 'task') this.#completed++;
        if (message.ok) task.resolve(message.value);
        else task.reject(reviveError(message.error, this.#errorCode));
        this.#events.onIdle();
      }
    }
  }

  #startFailed(cause: unknown): void {
    this.#dead = true;
    const reason = cause instanceof Error ? cause.message : `exited with code ${String(cause)}`;
    const error = () =>
      new ConfigError(ErrorCodes.CONFIG, `Worker ${this.threadId} failed to start: ${reason}`, {
        cause,
        details: { threadId: this.threadId },
      });
    this.#settleStart(error());
    this.#rejectAll(error);
    void this.#worker.terminate();
    this.#events.onStartFailure(error());
  }

  #onExit(code: number): void {
    if (this.#dead) return;
    if (!this.#ready) return this.#startFailed(this.#lastError ?? code);
    this.#dead = true;
    const details = { threadId: this.threadId, exitCode: code };
    const error = () =>
      new TransportError(
        ErrorCodes.CONNECTION_LOST,
        `Worker ${this.threadId} exited with code ${code} with the task in flight`,
        {
          cause: this.#lastError,
          details,
        },
      );
    this.#rejectAll(error);
    this.#events.onExit(error());
  }

  #rejectAll(error: () => BrineError): void {
    const tasks = [...this.#tasks.values()];
    this.#tasks.clear();
    for (const task of tasks) task.reject(error());
  }
}
