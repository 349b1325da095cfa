import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@brine/contracts';
import { KeyManager, MemoryKeyStore } from '@brine/core';
import { DROPFILE_NAME, consumeRotateDropfile, writeRotateDropfile } from '@brine/core/node';

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'brine-dfn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let cachedir: string;
let n = 0;
beforeEach(() => {
  cachedir = join(root, `cache-${n++}`);
});

const sha = { digest: (alg: string, data: Uint8Array) => new Uint8Array(createHash(alg).update(data).digest()) };
const PUB = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----';

describe('rotation dropfile', () => {
  it("writes Salt's .dfn: mode 0400, content = master id, no temp files", async () => {
    expect(await writeRotateDropfile(cachedir, 'master-1')).toBe(true);
    const path = join(cachedir, DROPFILE_NAME);
    expect(readFileSync(path, 'utf8')).toBe('master-1');
    if (posix) expect(statSync(path).mode & 0o7777).toBe(0o400);
    expect(readdirSync(cachedir)).toEqual(['.dfn']);
    expect(await writeRotateDropfile(cachedir, 'master-1')).toBe(false); // already requested
  });

  it('is consumed once, by the master it names', async () => {
    await writeRotateDropfile(cachedir, 'master-1');
    expect(await consumeRotateDropfile(cachedir, 'master-2')).toBe(false);
    expect(readdirSync(cachedir)).toEqual(['.dfn']);
    expect(await consumeRotateDropfile(cachedir, 'master-1')).toBe(true);
    expect(readdirSync(cachedir)).toEqual([]);
    expect(await consumeRotateDropfile(cachedir, 'master-1')).toBe(false);
  });

  it('returns false when there is no cachedir or dropfile', async () => {
    expect(await consumeRotateDropfile(join(cachedir, 'missing'), 'm')).toBe(false);
  });

  it.runIf(posix)('ignores a dropfile with another mode, as Salt does', async () => {
    await writeRotateDropfile(cachedir, 'master-1');
    chmodSync(join(cachedir, DROPFILE_NAME), 0o600);
    const logger = { error: vi.fn(), debug: vi.fn() };
    expect(await consumeRotateDropfile(cachedir, 'master-1', logger)).toBe(false);
    expect(logger.error).toHaveBeenCalledOnce();
    expect(readdirSync(cachedir)).toEqual(['.dfn']);
  });

  it.runIf(posix)('refuses a symlinked dropfile', async () => {
    const target = join(root, `target-${n}`);
    writeFileSync(target, 'master-1', { mode: 0o400 });
    await writeRotateDropfile(cachedir, 'x').then(() => rmSync(join(cachedir, DROPFILE_NAME)));
    symlinkSync(target, join(cachedir, DROPFILE_NAME));
    const logger = { error: vi.fn(), debug: vi.fn() };
    expect(await consumeRotateDropfile(cachedir, 'master-1', logger)).toBe(false);
    expect(logger.error).toHaveBeenCalledOnce();
    await expect(writeRotateDropfile(cachedir, 'master-1')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
    expect(readFileSync(target, 'utf8')).toBe('master-1');
  });

  it('is written by a KeyManager delete or reject through onChange', async () => {
    const store = new MemoryKeyStore();
    await store.putMinionKey('accepted', 'm1', PUB);
    await store.putMinionKey('pending', 'm2', PUB);
    const keys = new KeyManager(store, sha, {
      onChange: async (change) => {
        if (change.rotate) await writeRotateDropfile(cachedir, 'master-1');
      },
    });
    await keys.accept('m2');
    expect(await consumeRotateDropfile(cachedir, 'master-1')).toBe(false);
    await keys.delete('m1');
    expect(await consumeRotateDropfile(cachedir, 'master-1')).toBe(true);
    await keys.reject('m2', { includeAccepted: true });
    expect(await consumeRotateDropfile(cachedir, 'master-1')).toBe(true);
  });
});
