import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitConnectionsToFds } from '@brine/core';
import { readOpenFileLimit } from '@brine/core/node';
import { retryOnFdExhaustion } from '../src/node/safe-fs.js';

describe('fitConnectionsToFds', () => {
  it('lowers both caps to (limit - reserve) / 2 per listener, taking the lower of max_open_files and ulimit -n', () => {
    const { options, budget } = fitConnectionsToFds(
      { maxConnections: 20_000 },
      { maxOpenFiles: 100_000, softLimit: 1024, reserve: 128 },
    );
    expect(options.maxConnections).toBe(448);
    expect(options.maxUnauthenticatedConnections).toBe(448);
    expect(budget).toEqual({ limit: 1024, reserve: 128, perListener: 448, lowered: true });
  });

  it('keeps caps already under the budget, and does nothing without a known limit', () => {
    const small = fitConnectionsToFds(
      { maxConnections: 100, maxUnauthenticatedConnections: 10 },
      { maxOpenFiles: 100_000, softLimit: 1_048_576, reserve: 128 },
    );
    expect(small.options).toEqual({ maxConnections: 100, maxUnauthenticatedConnections: 10 });
    expect(small.budget?.lowered).toBe(false);
    const none = fitConnectionsToFds({}, { maxOpenFiles: 0, softLimit: undefined, reserve: 128 });
    expect(none).toEqual({ options: {}, budget: undefined });
  });

  it('never goes below one connection per listener', () => {
    expect(fitConnectionsToFds({}, { maxOpenFiles: 50, softLimit: undefined, reserve: 128 }).budget?.perListener).toBe(
      1,
    );
  });
});

describe('readOpenFileLimit', () => {
  it('reads the soft limit of "Max open files" from a limits file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brine-limits-'));
    try {
      const file = join(dir, 'limits');
      await writeFile(
        file,
        'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n',
      );
      expect(readOpenFileLimit(file)).toBe(1024);
      await writeFile(file, 'Max open files            unlimited            unlimited            files\n');
      expect(readOpenFileLimit(file)).toBeUndefined();
      expect(readOpenFileLimit(join(dir, 'absent'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('reads this process’s own limit on Linux', () => {
    expect(readOpenFileLimit()).toBeGreaterThan(0);
  });
});

describe('retryOnFdExhaustion', () => {
  const emfile = Object.assign(new Error('too many open files'), { code: 'EMFILE' });

  it('retries EMFILE until the descriptors come back', async () => {
    let calls = 0;
    const value = await retryOnFdExhaustion(async () => {
      if (++calls < 3) throw emfile;
      return 'read';
    }, [1, 1, 1]);
    expect(value).toBe('read');
    expect(calls).toBe(3);
  });

  it('gives up after the last delay, and never retries other errors', async () => {
    let calls = 0;
    await expect(retryOnFdExhaustion(async () => (calls++, Promise.reject(emfile)), [1, 1])).rejects.toBe(emfile);
    expect(calls).toBe(3);
    const enoent = Object.assign(new Error('absent'), { code: 'ENOENT' });
    calls = 0;
    await expect(retryOnFdExhaustion(async () => (calls++, Promise.reject(enoent)), [1, 1])).rejects.toBe(enoent);
    expect(calls).toBe(1);
  });
});
