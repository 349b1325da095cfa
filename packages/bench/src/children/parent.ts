import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { BrineError, ClosedError, ErrorCodes, TimeoutError, TransportError, type ErrorCode } from '@brine/contracts';
import type { CpuSnapshot } from '../cpu.js';
import { isReplyMessage, type ErrorData, type ReplyMessage } from './protocol.js';

const WORKER = new URL('./worker.js', import.meta.url);
const live = new Set<ChildProcess>();
let exitHooked = false;

/**
 * Bench processes whose role was closed cleanly, kept for the next role with the same fork
 * options: starting a process and loading the transports costs about 0.6 s of CPU, which over the
 * ~70 processes of a run was most of `--quick`'s time. A reused process is reset first (role
 * closed, a full GC), then initialised like a fresh one; a process with a failed call is not reused.
 */
const idle: BenchChild[] = [];
/** Idle processes kept at most (the rest exit); `BRINE_BENCH_FRESH_PROCESSES=1` turns reuse off. */
export const MAX_IDLE_CHILDREN = process.env.BRINE_BENCH_FRESH_PROCESSES ? 0 : 12;

/** Kills every bench process still running (SIGKILL). Also runs on this process's exit. */
export function killAllChildren(): void {
  idle.length = 0;
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
  /**
   * The process may come from, and go back to, the idle pool (see BenchChild.stop). Off by default:
   * a caller that reports a process's memory (the swarm) wants a fresh one.
   */
  reusable?: boolean;
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

function poolKey(options: ChildOptions): string | undefined {
  // Profiles (--cpu-prof) are written per process: those processes stay one role each.
  if (!options.reusable || options.execArgv?.length) return undefined;
  return `cpus=${options.cpus ?? ''}`;
}

/** A forked bench process playing one role (server, load generator, subscribers...). */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;
  /** A call failed or timed out: the process may hold a half-closed role, so it is not reused. */
  private tainted = false;
  readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    public name: string,
    private readonly key: string | undefined,
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

  /**
   * Runs `init` with the role and its spec in an idle process with the same fork options, or in a
   * newly forked one, and returns it with the role's info.
   */
  static async start<I>(role: string, spec: unknown, options: ChildOptions): Promise<{ child: BenchChild; info: I }> {
    hookExit();
    const key = poolKey(options);
    const reused = key === undefined ? -1 : idle.findIndex((c) => c.key === key && !c.exited);
    let child: BenchChild;
    if (reused >= 0) {
      child = idle.splice(reused, 1)[0]!;
      child.name = options.name;
    } else {
      const proc = fork(WORKER, [role], {
        // --expose-gc: a reused process collects its previous role's garbage before the next one.
        execArgv: key === undefined ? (options.execArgv ?? []) : ['--expose-gc'],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      live.add(proc);
      child = new BenchChild(proc, options.name, key);
      if (options.cpus !== undefined && proc.pid !== undefined) pin(proc.pid, options.cpus);
    }
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
        this.tainted = true;
        reject(
          new TimeoutError(ErrorCodes.TIMEOUT, `bench process ${this.name}: '${op}' took longer than ${timeout} ms`),
        );
      }, timeout);
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject: (error) => {
          this.tainted = true;
          reject(error);
        },
        timer,
      });
      this.child.send({ id, op, args });
    });
  }

  cpu(): Promise<CpuSnapshot> {
    return this.call<CpuSnapshot>('cpu');
  }

  /**
   * Closes the role. The process then waits, idle, for the next role with the same fork options
   * (at most MAX_IDLE_CHILDREN wait); otherwise, or when the reset fails, it exits (killed if it
   * has not within `grace` ms).
   */
  async stop(grace = 10_000): Promise<void> {
    if (this.exited) return;
    if (this.key !== undefined && !this.tainted && idle.length < MAX_IDLE_CHILDREN) {
      try {
        await this.call('reset', undefined, grace);
        if (!this.exited && idle.length < MAX_IDLE_CHILDREN) {
          idle.push(this);
          return;
        }
      } catch {
        // not reusable: exits below
      }
    }
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
