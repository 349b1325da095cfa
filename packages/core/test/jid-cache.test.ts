import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryJidCache } from '../src/minion/jid-cache.js';
import { FsJidCache } from '../src/node/fs-jid-cache.js';

describe('jid cache (a replayed publish never runs twice, across restarts)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('MemoryJidCache keeps the newest `limit` jids', async () => {
    const cache = new MemoryJidCache(100);
    for (let i = 0; i < 1000; i++) await cache.add(`2026120200000${i}`);
    expect(cache.size).toBe(100);
    expect(cache.has('20261202000009999')).toBe(false);
    expect(cache.has('2026120200000999')).toBe(true);
    expect(cache.has('202612020000000')).toBe(false);
  });

  it('FsJidCache: a jid added before a restart is still known after it; the file stays bounded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jids-'));
    dirs.push(dir);
    const path = join(dir, 'minion', 'minion_jids');
    const first = await FsJidCache.open(path, 50);
    for (let i = 0; i < 500; i++) await first.add(`j${i}`);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(100);
    const restarted = await FsJidCache.open(path, 50);
    expect(restarted.has('j499')).toBe(true);
    expect(restarted.has('j450')).toBe(true);
    expect(restarted.has('j0')).toBe(false);
    expect(restarted.size).toBe(50);
  });
});
