/**
 * FsKeyStore's index (FsKeyIndex): coherent with changes made by other processes (seen after the
 * watch event or the generation check: the tests wait for the index's `change` event, never on
 * time), and O(1) per lookup, counted in file-system calls.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, promises, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@brine/contracts';
import { KEY_STATE_DIRS, type KeyState } from '@brine/core';
import { FsKeyStore, type KeyIndexChange, type KeyIndexSkip } from '@brine/core/node';

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'brine-keyindex-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const PUB = '-----BEGIN PUBLIC KEY-----\nCCCC\n-----END PUBLIC KEY-----\n';
const OTHER = '-----BEGIN PUBLIC KEY-----\nDDDD\n-----END PUBLIC KEY-----\n';
const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli/dist/bin.js');

let n = 0;
const stores: FsKeyStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** A master pki_dir with every state folder and `keys` accepted keys. */
function pkiWith(keys: number): string {
  const pki = join(root, `case-${n++}`);
  for (const dir of Object.values(KEY_STATE_DIRS)) mkdirSync(join(pki, dir), { recursive: true, mode: 0o700 });
  for (let i = 0; i < keys; i++) writeFileSync(join(pki, 'minions', `m${i}`), PUB);
  return pki;
}

function open(pki: string, options: ConstructorParameters<typeof FsKeyStore>[1] = {}): FsKeyStore {
  const store = new FsKeyStore(pki, options);
  stores.push(store);
  return store;
}

/** Runs `code` in another node process (the change comes from outside this one). */
function elsewhere(code: string, ...args: string[]): void {
  execFileSync(process.execPath, ['-e', code, ...args], { stdio: 'inherit' });
}

/** Resolves with the next index change for `id` in `state` (the watch event or a rescan). */
async function changeOf(store: FsKeyStore, state: KeyState, id: string): Promise<KeyIndexChange> {
  const events = (await store.indexEvents())!;
  const [change] = await events.once('change', { filter: (c) => c.state === state && c.id === id });
  return change;
}

describe.runIf(posix)('FsKeyStore index: changes made by another process', () => {
  it('sees a key added, rewritten in place, moved and deleted by hand (watch events)', async () => {
    const pki = pkiWith(3);
    const store = open(pki);
    expect(await store.listMinionKeys('accepted')).toEqual(['m0', 'm1', 'm2']);
    expect(await store.getMinionKey('accepted', 'm1')).toBe(PUB);

    let seen = changeOf(store, 'pending', 'new1');
    elsewhere('require("fs").writeFileSync(process.argv[1], process.argv[2])', join(pki, 'minions_pre', 'new1'), PUB);
    expect(await seen).toMatchObject({ present: true, via: 'watch' });
    expect(await store.listMinionKeys('pending')).toEqual(['new1']);

    // `cp other m1` rewrites the file in place: the directory does not change, the watch does.
    seen = changeOf(store, 'accepted', 'm1');
    elsewhere('require("fs").writeFileSync(process.argv[1], process.argv[2])', join(pki, 'minions', 'm1'), OTHER);
    await seen;
    expect(await store.getMinionKey('accepted', 'm1')).toBe(OTHER);

    const gone = changeOf(store, 'pending', 'new1');
    const came = changeOf(store, 'rejected', 'new1');
    elsewhere(
      'require("fs").renameSync(process.argv[1], process.argv[2])',
      join(pki, 'minions_pre', 'new1'),
      join(pki, 'minions_rejected', 'new1'),
    );
    expect(await gone).toMatchObject({ present: false });
    expect(await came).toMatchObject({ present: true });
    expect(await store.listMinionKeys('pending')).toEqual([]);
    expect(await store.listMinionKeys('rejected')).toEqual(['new1']);

    seen = changeOf(store, 'accepted', 'm0');
    elsewhere('require("fs").unlinkSync(process.argv[1])', join(pki, 'minions', 'm0'));
    expect(await seen).toMatchObject({ present: false, via: 'watch' });
    expect(await store.listMinionKeys('accepted')).toEqual(['m1', 'm2']);
    expect(await store.getMinionKey('accepted', 'm0')).toBeUndefined();
  });

  it('sees `brine key -a` run in another process', async () => {
    const pki = pkiWith(0);
    // `brine key -a` accepts only keys that load.
    const real = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    writeFileSync(join(pki, 'minions_pre', 'web1'), real);
    const store = open(pki);
    expect(await store.listMinionKeys('pending')).toEqual(['web1']);
    const accepted = changeOf(store, 'accepted', 'web1');
    const left = changeOf(store, 'pending', 'web1');
    execFileSync(
      process.execPath,
      [cli, 'key', '-a', 'web1', '-y', '--pki-dir', pki, '--config-dir', pki, '--cachedir', join(pki, 'cache')],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await Promise.all([accepted, left]);
    expect(await store.listMinionKeys('accepted')).toEqual(['web1']);
    expect(await store.listMinionKeys('pending')).toEqual([]);
  });

  it('without a watch, the generation check finds the change at the next listing (and hits read the file)', async () => {
    const pki = pkiWith(2);
    const store = open(pki, { index: { watch: false, checkIntervalMs: 0 } });
    expect(await store.listMinionKeys('accepted')).toEqual(['m0', 'm1']);
    const added = changeOf(store, 'accepted', 'late');
    elsewhere('require("fs").writeFileSync(process.argv[1], process.argv[2])', join(pki, 'minions', 'late'), PUB);
    expect(await store.listMinionKeys('accepted')).toEqual(['late', 'm0', 'm1']);
    expect(await added).toMatchObject({ present: true, via: 'scan' });
    elsewhere('require("fs").unlinkSync(process.argv[1])', join(pki, 'minions', 'm1'));
    // No watch: a hit is never served from memory, so a deleted key is not found.
    expect(await store.getMinionKey('accepted', 'm1')).toBeUndefined();
    expect(await store.listMinionKeys('accepted')).toEqual(['late', 'm0']);
  });

  it('never misses a key written a moment ago: a miss reads the file before answering', async () => {
    const pki = pkiWith(1);
    const store = open(pki);
    await store.listMinionKeys('accepted');
    elsewhere('require("fs").writeFileSync(process.argv[1], process.argv[2])', join(pki, 'minions', 'fresh'), PUB);
    // Asked at once, whether or not the watch event has been delivered yet.
    expect(await store.getMinionKey('accepted', 'fresh')).toBe(PUB);
    expect(await store.listMinionKeys('accepted')).toContain('fresh');
  });

  it('sees a state folder that was missing at load time once it exists (generation check)', async () => {
    const pki = join(root, `case-${n++}`);
    mkdirSync(pki);
    const store = open(pki, { index: { checkIntervalMs: 0 } });
    expect(await store.listMinionKeys('pending')).toEqual([]);
    elsewhere(
      'const fs = require("fs"); fs.mkdirSync(process.argv[1]); fs.writeFileSync(process.argv[1] + "/p1", process.argv[2])',
      join(pki, 'minions_pre'),
      PUB,
    );
    expect(await store.listMinionKeys('pending')).toEqual(['p1']);
    // The folder is watched from then on.
    const seen = changeOf(store, 'pending', 'p2');
    elsewhere('require("fs").writeFileSync(process.argv[1], process.argv[2])', join(pki, 'minions_pre', 'p2'), PUB);
    await seen;
    expect(await store.listMinionKeys('pending')).toEqual(['p1', 'p2']);
  });
});

describe.runIf(posix)('FsKeyStore index: safe-fs rules', () => {
  it('leaves symlinks and other non-files out of the index and reports them', async () => {
    const pki = pkiWith(1);
    const outside = join(root, `outside-${n++}`);
    writeFileSync(outside, PUB);
    symlinkSync(outside, join(pki, 'minions', 'evil'));
    mkdirSync(join(pki, 'minions', 'adir'));
    const skips: KeyIndexSkip[] = [];
    const store = open(pki, { index: { onSkip: (s) => skips.push(s) } });
    expect(await store.listMinionKeys('accepted')).toEqual(['m0']);
    expect(skips).toEqual(
      expect.arrayContaining([
        { state: 'accepted', name: 'evil', reason: 'not a regular file' },
        { state: 'accepted', name: 'adir', reason: 'not a regular file' },
      ]),
    );
    // A lookup of the symlink is refused, as before (O_NOFOLLOW), never followed.
    await expect(store.getMinionKey('accepted', 'evil')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
  });

  it('refuses a state folder that is a symlink', async () => {
    const pki = join(root, `case-${n++}`);
    const real = join(root, `real-${n++}`);
    mkdirSync(pki);
    mkdirSync(real);
    writeFileSync(join(real, 'm0'), PUB);
    symlinkSync(real, join(pki, 'minions'));
    const store = open(pki);
    await expect(store.listMinionKeys('accepted')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
  });

  it('an oversized key file is refused on lookup (bounded read), not cached', async () => {
    const pki = pkiWith(0);
    writeFileSync(join(pki, 'minions', 'big'), 'x'.repeat((1 << 20) + 1));
    const store = open(pki);
    expect(await store.listMinionKeys('accepted')).toEqual(['big']);
    await expect(store.getMinionKey('accepted', 'big')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
  });
});

describe.runIf(posix)('FsKeyStore index: O(1) lookups, counted in file-system calls', () => {
  const FS_CALLS = ['open', 'readdir', 'lstat', 'stat', 'readFile', 'access'] as const;

  function countFsCalls(): () => number {
    const spies = FS_CALLS.map((name) => vi.spyOn(promises, name));
    return () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
  }

  async function lookupCosts(keys: number): Promise<{ hit: number; miss: number; list: number }> {
    const store = open(pkiWith(keys));
    await store.listMinionKeys('accepted');
    await store.listMinionKeys('rejected');
    await store.getMinionKey('accepted', 'm0'); // caches the text
    const calls = countFsCalls();
    for (let i = 0; i < 50; i++) expect(await store.getMinionKey('accepted', 'm0')).toBe(PUB);
    const hit = calls();
    await store.getMinionKey('rejected', 'm0');
    const miss = calls() - hit;
    await store.listMinionKeys('accepted');
    const list = calls() - hit - miss;
    vi.restoreAllMocks();
    return { hit, miss, list };
  }

  it('a hit costs no call, a miss one open, a listing no readdir — whatever the number of keys', async () => {
    const small = await lookupCosts(10);
    const large = await lookupCosts(2000);
    expect(small).toEqual({ hit: 0, miss: 1, list: 0 });
    expect(large).toEqual(small);
  });

  it('the index is loaded once: one readdir per state folder, for many lookups and listings', async () => {
    const store = open(pkiWith(100));
    const readdir = vi.spyOn(promises, 'readdir');
    for (let i = 0; i < 100; i++) {
      await store.getMinionKey('accepted', `m${i}`);
      await store.getMinionKey('pending', `m${i}`);
    }
    await store.listMinionKeys('accepted');
    expect(readdir.mock.calls.map(([dir]) => String(dir).split('/').pop()).sort()).toEqual([
      'minions',
      'minions_denied',
      'minions_pre',
      'minions_rejected',
    ]);
  });

  it('own writes keep the index coherent without rescans', async () => {
    const store = open(pkiWith(0));
    await store.listMinionKeys('pending');
    await store.putMinionKey('pending', 'a', PUB);
    const readdir = vi.spyOn(promises, 'readdir');
    expect(await store.listMinionKeys('pending')).toEqual(['a']);
    expect(await store.moveMinionKey('a', 'pending', 'accepted')).toBe(true);
    expect(await store.listMinionKeys('pending')).toEqual([]);
    expect(await store.getMinionKey('accepted', 'a')).toBe(PUB);
    expect(await store.removeMinionKey('accepted', 'a')).toBe(true);
    expect(await store.getMinionKey('accepted', 'a')).toBeUndefined();
    expect(readdir.mock.calls.filter(([dir]) => String(dir).endsWith('minions_pre'))).toHaveLength(0);
  });
});
