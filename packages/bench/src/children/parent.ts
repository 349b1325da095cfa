import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { BrineError, ClosedError, ErrorCodes, TimeoutError, TransportError, type ErrorCode } from '@brine/contracts';
import type { CpuSnapshot } from '../cpu.js';
import { isReplyMessage, type ErrorData, type ReplyMessage } from './protocol.js';

const WORKER = new URL('./worker.js', import.meta.url);
const live = new Set<ChildProcess>();
let exitHooked = false;

/** Kills every bench process still running (SIGKILL). Also runs on this process's exit. */
export function killAllChildren(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', killAllChildren);
}

export interface ChildOptions {
  /** Shown in errors and progress. */
  name: string;
  /** Extra node flags for the child (e.g. --cpu-prof). */
  execArgv?: string[];
  /** CPU list for `taskset` (e.g. "0"); undefined = not pinned. */
  cpus?: string;
  /** ms allowed for `init` (default 120 000). */
  startTimeout?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: BrineError) => void;
  timer: NodeJS.Timeout;
}

function fromErrorData(data: ErrorData, where: string): BrineError {
  const codes = Object.values(ErrorCodes) as string[];
  const code = (codes.includes(data.code) ? data.code : ErrorCodes.REMOTE) as ErrorCode;
  return new BrineError(code, `${where}: ${data.message}`);
}

/** A forked bench process playing one role (server, load generator, subscribers...). */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;
  readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        live.delete(child);
        const error = new TransportError(
          ErrorCodes.CONNECTION_LOST,
          `bench process ${name} exited (${signal ?? code ?? 'unknown'})`,
        );
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(error);
        }
        this.pending.clear();
        resolve();
      });
    });
    child.on('message', (message: unknown) => this.onMessage(message));
    child.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forks a child, runs `init` with the role and its spec, and returns it with the role's info. */
  static async start<I>(role: string, spec: unknown, options: ChildOptions): Promise<{ child: BenchChild; info: I }> {
    hookExit();
    const proc = fork(WORKER, [role], {
      execArgv: options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    live.add(proc);
    const child = new BenchChild(proc, options.name);
    if (options.cpus !== undefined && proc.pid !== undefined) pin(proc.pid, options.cpus);
    try {
      const info = await child.call<I>('init', { role, spec }, options.startTimeout ?? 120_000);
      return { child, info };
    } catch (error) {
      await child.kill();
      throw error;
    }
  }

  call<T>(op: string, args?: unknown, timeout = 300_000): Promise<T> {
    if (this.exited) {
      return Promise.reject(new ClosedError(ErrorCodes.CLOSED, `bench process ${this.name} has exited`));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TimeoutError(ErrorCodes.TIMEOUT, `bench process ${this.name}: '${op}' took longer than ${timeout} ms`),
        );
      }, timeout);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ id, op, args });
    });
  }

  cpu(): Promise<CpuSnapshot> {
    return this.call<CpuSnapshot>('cpu');
  }

  /** Asks the role to close and the process to exit; kills it if it has not within `grace` ms. */
  async stop(grace = 10_000): Promise<void> {
    if (this.exited) return;
    try {
      await this.call('stop', undefined, grace);
    } catch {
      // killed below
    }
    await this.kill(grace);
  }

  async kill(grace = 2_000): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), grace);
    if (!this.child.connected) this.child.kill('SIGTERM');
    else this.child.disconnect();
    await this.exitedPromise;
    clearTimeout(timer);
  }

  private onMessage(message: unknown): void {
    if (!isReplyMessage(message)) return;
    const reply: ReplyMessage = message;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(fromErrorData(reply.error, this.name));
  }
}

/** Pins every thread of a process to a CPU list with taskset (best effort; absent on some systems). */
function pin(pid: number, cpus: string): void {
  spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Stops several children at once, never throwing. */
export async function stopAll(children: Array<BenchChild | undefined>): Promise<void> {
  await Promise.all(children.map((c) => c?.stop().catch(() => undefined)));
}
