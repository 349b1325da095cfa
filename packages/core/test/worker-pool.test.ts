import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BrineError, ClosedError, ConfigError, CryptoError, ErrorCodes, TransportError } from '@brine/contracts';
import { THREAD_ID_OP, WorkerPool, type WorkerPoolOptions } from '@brine/core/node';

const WORKER = new URL('./fixtures/pool-worker.mjs', import.meta.url);
const CHILD = fileURLToPath(new URL('./fixtures/pool-child.mjs', import.meta.url));
const run = promisify(execFile);

const pools: WorkerPool[] = [];
function pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool {
  const p = new WorkerPool({ module: WORKER, size: 2, ...options });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const threadIds = (p: WorkerPool) => p.stats().workers.map((w) => w.threadId);
/** Settles every promise; returns the rejections' codes (or 'ok'). */
const outcomes = (promises: Promise<unknown>[]) =>
  Promise.allSettled(promises).then((all) =>
    all.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as BrineError).code)),
  );

describe('WorkerPool: results', () => {
  it('runs ops in workers and returns their results', async () => {
    const p = pool();
    expect(await p.run('add', [2, 3])).toBe(5);
    expect(await p.run('echo', [{ a: [1, 'x'], b: new Uint8Array([7, 8]) }])).toEqual({
      a: [1, 'x'],
      b: new Uint8Array([7, 8]),
    });
    await expect(p.ready()).resolves.toBeUndefined();
    expect(p.stats().workers.every((w) => w.ready)).toBe(true);
  });

  it('moves buffers named in transferList instead of copying them', async () => {
    const p = pool();
    const bytes = new Uint8Array(1024);
    expect(await p.run('byteLength', [bytes], [bytes.buffer])).toBe(1024);
    expect(bytes.byteLength).toBe(0); // detached on this side
    const kept = new Uint8Array(16);
    expect(await p.run('byteLength', [kept])).toBe(16);
    expect(kept.byteLength).toBe(16);
  });

  it('defaults to os.availableParallelism() workers and validates options', async () => {
    const { availableParallelism } = await import('node:os');
    const p = pool({ size: undefined });
    expect(p.size).toBe(availableParallelism());
    expect(p.stats().workers).toHaveLength(availableParallelism());
    expect(() => new WorkerPool({ module: WORKER, size: 0 })).toThrow(ConfigError);
    expect(() => new WorkerPool({ module: WORKER, size: 1, maxInFlightPerWorker: 1.5 })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
  });
});

describe('WorkerPool: dispatch', () => {
  it('spreads concurrent tasks across every worker', async () => {
    const p = pool({ size: 3 });
    const ids = await Promise.all(Array.from({ length: 12 }, () => p.run<number>(THREAD_ID_OP)));
    expect(new Set(ids)).toEqual(new Set(threadIds(p)));
    expect(new Set(ids).size).toBe(3);
    expect(p.stats().workers.map((w) => w.completed)).toEqual([4, 4, 4]);
  });

  it('sends a task to the least-busy worker', async () => {
    const p = pool();
    void p.run('hang').catch(() => {});
    void p.run('hang').catch(() => {});
    void p.run('hang').catch(() => {});
    // 2 hangs on one worker, 1 on the other: the next task goes to the one with 1.
    const busy = Object.fromEntries(p.stats().workers.map((w) => [w.threadId, w.inFlight]));
    expect(Object.values(busy).sort()).toEqual([1, 2]);
    for (let i = 0; i < 3; i++) {
      const id = await p.run<number>(THREAD_ID_OP); // not round-robin: the same, less busy, worker each time
      expect(busy[id]).toBe(1);
    }
  });

  it('queues beyond maxInFlightPerWorker, drains in order, and rejects ERR_QUEUE_FULL beyond maxQueued', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 2, maxQueued: 3 });
    const done = Array.from({ length: 5 }, (_, i) => p.run<number>('echo', [i]));
    expect(p.stats()).toMatchObject({ queued: 3, workers: [{ inFlight: 2 }] });
    const full = p.run('echo', [99]);
    await expect(full).rejects.toBeInstanceOf(TransportError);
    await expect(full).rejects.toMatchObject({ code: ErrorCodes.QUEUE_FULL, details: { queued: 3 } });
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
    expect(p.stats()).toMatchObject({ queued: 0, workers: [{ inFlight: 0, completed: 5 }] });
  });
});

describe('WorkerPool: errors', () => {
  it('rejects with ERR_HANDLER (or the errorCode option) and the worker error as cause', async () => {
    const p = pool();
    const error = await p.run('fail', ['bad input']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrineError);
    expect(error).toMatchObject({ code: ErrorCodes.HANDLER, message: 'bad input' });
    expect((error as BrineError).cause).toMatchObject({ name: 'Error', message: 'bad input' });
    expect(String(((error as BrineError).cause as Error).stack)).toContain('pool-worker.mjs');

    const q = pool({ errorCode: ErrorCodes.CRYPTO });
    await expect(q.run('fail', ['x'])).rejects.toMatchObject({ code: ErrorCodes.CRYPTO });
  });

  it("keeps a BrineError's class, code and details", async () => {
    const p = pool();
    const error = await p.run('failTyped', ['forged']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: ErrorCodes.KEY_FORMAT, message: 'forged' });
    expect(threadIds(p)).toContain((error as BrineError).details?.threadId);
  });

  it('rejects unknown ops and unclonable arguments or results', async () => {
    const p = pool();
    await expect(p.run('nope')).rejects.toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
    await expect(p.run('echo', [() => 1])).rejects.toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
    await expect(p.run('unclonable')).rejects.toMatchObject({ code: ErrorCodes.ENCODE });
    expect(await p.run('add', [1, 1])).toBe(2);
    expect(p.stats().workers.every((w) => w.inFlight === 0)).toBe(true);
  });
});

describe('WorkerPool: crashes', () => {
  it('rejects the in-flight tasks of a worker that exits and replaces it', async () => {
    const p = pool({ size: 1 });
    const [before] = threadIds(p);
    const hung = p.run('hang');
    const exit = p.run('exit', [3]);
    for (const error of await Promise.all([hung, exit].map((t) => t.catch((e: unknown) => e)))) {
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: ErrorCodes.CONNECTION_LOST, details: { threadId: before, exitCode: 3 } });
    }
    const [after] = threadIds(p);
    expect(after).not.toBe(before);
    expect(await p.run<number>(THREAD_ID_OP)).toBe(after);
  });

  it('reports an uncaught exception in a worker as the cause', async () => {
    const p = pool({ size: 1 });
    const error = await p.run('throwLater', ['kaboom']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.CONNECTION_LOST, cause: { message: 'kaboom' } });
    expect(await p.run('add', [1, 2])).toBe(3);
  });

  it('dispatches queued tasks to the replacement', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 1 });
    const crash = p.run('exit', [1]);
    const queued = [p.run('add', [1, 1]), p.run('add', [2, 2])];
    await expect(crash).rejects.toMatchObject({ code: ErrorCodes.CONNECTION_LOST });
    expect(await Promise.all(queued)).toEqual([2, 4]);
  });

  it('rejects with ERR_CONFIG when workers cannot start, without respawning in a loop', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 1, workerData: { failInit: true } });
    const tasks = [p.run('add', [1, 1]), p.run('add', [1, 2]), p.run('add', [1, 3])];
    expect(p.stats().queued).toBe(2);
    for (const error of await Promise.all(tasks.map((t) => t.catch((e: unknown) => e)))) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: ErrorCodes.CONFIG, cause: { message: 'init failed on purpose' } });
    }
    expect(p.stats().workers).toHaveLength(0); // not respawned until needed
    await expect(p.ready()).rejects.toMatchObject({ code: ErrorCodes.CONFIG });

    const missing = pool({ size: 1, module: new URL('./fixtures/no-such-worker.mjs', import.meta.url) });
    await expect(missing.run('add', [1, 1])).rejects.toMatchObject({ code: ErrorCodes.CONFIG });
  });
});

describe('WorkerPool: setups', () => {
  it('runs setups on current workers and replays them, in order, on replacements', async () => {
    const p = pool({ size: 1 });
    await p.addSetup('a', 'record', ['a']);
    await p.addSetup('b', 'record', ['b']);
    expect(await p.run('log')).toEqual(['a', 'b']);
    expect(p.removeSetup('a')).toBe(true);
    await expect(p.run('exit', [0])).rejects.toMatchObject({ code: ErrorCodes.CONNECTION_LOST });
    expect(await p.run('log')).toEqual(['b']);
    expect(p.stats().workers[0]!.completed).toBe(1); // setups are not counted as tasks
  });

  it('orders a setup before tasks sent after it without awaiting it', async () => {
    const p = pool({ size: 2 });
    void p.addSetup('x', 'record', ['x']);
    const logs = await Promise.all([p.run('log'), p.run('log'), p.run('log'), p.run('log')]);
    expect(logs).toEqual([['x'], ['x'], ['x'], ['x']]);
  });
});

describe('WorkerPool: close', () => {
  it('rejects in-flight and queued tasks with ERR_CLOSED, then every later call', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 1 });
    const pending = [p.run('hang'), p.run('add', [1, 1]), p.run('add', [1, 2])];
    const closing = p.close();
    expect(p.close()).toBe(closing);
    expect(await outcomes(pending)).toEqual([ErrorCodes.CLOSED, ErrorCodes.CLOSED, ErrorCodes.CLOSED]);
    await closing;
    expect(p.closed).toBe(true);
    await expect(p.run('add', [1, 1])).rejects.toBeInstanceOf(ClosedError);
    await expect(p.broadcast('add', [1, 1])).rejects.toMatchObject({ code: ErrorCodes.CLOSED });
    expect(p.stats()).toMatchObject({ closed: true, workers: [] });
    await expect(p.close()).resolves.toBeUndefined();
  });

  for (const mode of ['close', 'unref']) {
    it(`leaves nothing behind: a child process using the pool exits on its own (${mode})`, async () => {
      const { stdout } = await run(process.execPath, [CHILD, mode], { timeout: 30_000 });
      const report = JSON.parse(stdout) as { results: number; before: number; active: number };
      expect(report).toEqual({ results: 4, before: mode === 'close' ? 2 : 0, active: 0 });
    });
  }
});

describe('WorkerPool: priorities', () => {
  it('low-priority tasks leave a slot free and queue behind normal ones', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 2 });
    await p.ready();
    const low = ['L1', 'L2', 'L3', 'L4'].map((entry) => p.run('record', [entry], undefined, { priority: 'low' }));
    // L1 took the one slot low tasks may use; the rest wait in the low queue.
    expect(p.stats()).toMatchObject({ queued: 3, queuedLow: 3 });
    const normal = p.run('record', ['N1']);
    expect(p.stats().queuedLow).toBe(3);
    await Promise.all([...low, normal]);
    expect(await p.run('log')).toEqual(['L1', 'N1', 'L2', 'L3', 'L4']);
  });

  it('the low queue has its own bound: full, a low task is refused with ERR_QUEUE_FULL, a normal one is not', async () => {
    const p = pool({ size: 1, maxInFlightPerWorker: 2, maxQueued: 1 });
    await p.ready();
    const hung = [p.run('hang', [], undefined, { priority: 'low' }), p.run('hang', [], undefined, { priority: 'low' })];
    await expect(p.run('echo', [1], undefined, { priority: 'low' })).rejects.toMatchObject({
      code: ErrorCodes.QUEUE_FULL,
    });
    expect(await p.run('echo', [2])).toBe(2);
    void outcomes(hung);
  });
});
