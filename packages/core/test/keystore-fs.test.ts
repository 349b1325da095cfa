import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@brine/contracts';
import { KEY_STATE_DIRS } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'brine-fskeystore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PAIR = {
  privatePem: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n',
  publicPem: '-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----\n',
};
const PUB = '-----BEGIN PUBLIC KEY-----\nCCCC\n-----END PUBLIC KEY-----';
const mode = (path: string) => statSync(path).mode & 0o7777;
const refusedByStore = { code: ErrorCodes.KEY_STORE };

let pki: string;
let outside: string;
let n = 0;
beforeEach(() => {
  pki = join(root, `case-${n}`, 'pki');
  outside = join(root, `case-${n}`, 'outside');
  n++;
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret'), 'do not touch');
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

describe.runIf(posix)('FsKeyStore file modes', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('creates pki_dir and key folders 0700, private keys 0400, public keys 0644', async () => {
    const store = new FsKeyStore(pki);
    await store.ensureKeyPair('master', async () => PAIR);
    await store.putMinionKey('pending', 'm1', PUB);
    await store.moveMinionKey('m1', 'pending', 'accepted');
    await store.putMinionKey('rejected', 'm2', PUB);
    await store.putMinionKey('denied', 'm3', PUB);
    expect(mode(pki)).toBe(0o700);
    for (const dir of Object.values(KEY_STATE_DIRS)) expect(mode(join(pki, dir))).toBe(0o700);
    expect(mode(join(pki, 'master.pem'))).toBe(0o400);
    expect(mode(join(pki, 'master.pub'))).toBe(0o644);
    expect(mode(join(pki, 'minions', 'm1'))).toBe(0o644);
    expect(mode(join(pki, 'minions_rejected', 'm2'))).toBe(0o644);
    expect(mode(join(pki, 'minions_denied', 'm3'))).toBe(0o644);
  });

  it('sets the exact mode whatever the umask, and honours an explicit mode', async () => {
    process.umask(0o077);
    const store = new FsKeyStore(pki, { privateKeyMode: 0o600 });
    await store.ensureKeyPair('minion', async () => PAIR);
    await store.writeFile('minion_master.pub', PUB);
    await store.writeFile('token', 'x', 0o600);
    expect(mode(join(pki, 'minion.pem'))).toBe(0o600);
    expect(mode(join(pki, 'minion.pub'))).toBe(0o644);
    expect(mode(join(pki, 'minion_master.pub'))).toBe(0o644);
    expect(mode(join(pki, 'token'))).toBe(0o600);
  });

  it('rewrites a 0400 file (the rename replaces it)', async () => {
    const store = new FsKeyStore(pki);
    await store.writeFile('master.pem', 'one', 0o400);
    await store.writeFile('master.pem', 'two', 0o400);
    expect(readFileSync(join(pki, 'master.pem'), 'utf8')).toBe('two');
  });

  it('refuses a private key mode wider than 0600', () => {
    expect(() => new FsKeyStore(pki, { privateKeyMode: 0o640 })).toThrow(expect.objectContaining(refusedByStore));
  });
});

describe('FsKeyStore atomic writes', () => {
  it('leaves no temp files behind, even under concurrent writes to one key', async () => {
    const store = new FsKeyStore(pki);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.putMinionKey('pending', 'm1', `${PUB}\n${i}`)));
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.writeFile('minion_master.pub', `v${i}`)));
    expect(allFiles(pki).sort()).toEqual(['minion_master.pub', 'minions_pre', 'minions_pre/m1']);
    expect(readFileSync(join(pki, 'minions_pre', 'm1'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('does not list a stray temp file and cleans up after a failed write', async () => {
    const store = new FsKeyStore(pki);
    await store.putMinionKey('pending', 'm1', PUB);
    writeFileSync(join(pki, 'minions_pre', '.brine-tmp-0123456789abcdef'), 'half');
    expect(await store.listMinionKeys('pending')).toEqual(['m1']);
    await expect(store.putMinionKey('pending', '.brine-tmp-x', PUB)).rejects.toMatchObject(refusedByStore);
    mkdirSync(join(pki, 'minions_pre', 'adir'));
    await expect(store.putMinionKey('pending', 'adir', PUB)).rejects.toMatchObject(refusedByStore);
    expect(allFiles(join(pki, 'minions_pre')).sort()).toEqual(['.brine-tmp-0123456789abcdef', 'adir', 'm1']);
  });

  it('persists across instances and works through a symlinked pki_dir', async () => {
    const real = join(pki, '..', 'real-pki');
    mkdirSync(real, { recursive: true, mode: 0o700 });
    symlinkSync(real, pki);
    await new FsKeyStore(pki).putMinionKey('accepted', 'm1', PUB);
    expect(await new FsKeyStore(pki).getMinionKey('accepted', 'm1')).toBe(PUB);
    expect(existsSync(join(real, 'minions', 'm1'))).toBe(true);
  });
});

describe('FsKeyStore containment', () => {
  it('builds no path for a hostile id', async () => {
    const store = new FsKeyStore(pki);
    for (const id of ['../x', '../../outside/secret', 'minion/../../foo', '..']) {
      await expect(store.putMinionKey('pending', id, PUB)).rejects.toMatchObject({
        code: ErrorCodes.INVALID_MINION_ID,
      });
    }
    expect(existsSync(join(pki, 'x'))).toBe(false);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not touch');
  });

  it.runIf(posix)('refuses a symlink planted in minions/ that points outside', async () => {
    const store = new FsKeyStore(pki);
    await store.putMinionKey('accepted', 'good', PUB);
    symlinkSync(join(outside, 'secret'), join(pki, 'minions', 'evil'));
    await expect(store.getMinionKey('accepted', 'evil')).rejects.toMatchObject(refusedByStore);
    await expect(store.putMinionKey('accepted', 'evil', PUB)).rejects.toMatchObject(refusedByStore);
    await expect(store.removeMinionKey('accepted', 'evil')).rejects.toMatchObject(refusedByStore);
    await expect(store.moveMinionKey('evil', 'accepted', 'rejected')).rejects.toMatchObject(refusedByStore);
    await store.putMinionKey('pending', 'evil', PUB);
    await expect(store.moveMinionKey('evil', 'pending', 'accepted')).rejects.toMatchObject(refusedByStore);
    expect(await store.listMinionKeys('accepted')).toEqual(['good']);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not touch');
    expect(lstatSync(join(pki, 'minions', 'evil')).isSymbolicLink()).toBe(true);
  });

  it.runIf(posix)('refuses a key folder that is a symlink', async () => {
    mkdirSync(pki, { recursive: true });
    symlinkSync(outside, join(pki, 'minions_pre'));
    const store = new FsKeyStore(pki);
    await expect(store.listMinionKeys('pending')).rejects.toMatchObject(refusedByStore);
    await expect(store.getMinionKey('pending', 'secret')).rejects.toMatchObject(refusedByStore);
    await expect(store.putMinionKey('pending', 'm1', PUB)).rejects.toMatchObject(refusedByStore);
    expect(readdirSync(outside)).toEqual(['secret']);
  });

  it.runIf(posix)('refuses a symlinked top-level key file', async () => {
    mkdirSync(pki, { recursive: true });
    symlinkSync(join(outside, 'secret'), join(pki, 'master.pem'));
    const store = new FsKeyStore(pki);
    await expect(store.readFile('master.pem')).rejects.toMatchObject(refusedByStore);
    await expect(store.ensureKeyPair('master', async () => PAIR)).rejects.toMatchObject(refusedByStore);
    await expect(store.writeFile('master.pem', 'x', 0o400)).rejects.toMatchObject(refusedByStore);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not touch');
  });

  it.runIf(posix)('refuses a FIFO named like a minion without blocking on it', async () => {
    const store = new FsKeyStore(pki);
    await store.putMinionKey('accepted', 'good', PUB);
    execFileSync('mkfifo', [join(pki, 'minions', 'fifo')]);
    await expect(store.getMinionKey('accepted', 'fifo')).rejects.toMatchObject(refusedByStore);
    await expect(store.putMinionKey('accepted', 'fifo', PUB)).rejects.toMatchObject(refusedByStore);
    await expect(store.moveMinionKey('fifo', 'accepted', 'rejected')).rejects.toMatchObject(refusedByStore);
    await expect(store.removeMinionKey('accepted', 'fifo')).rejects.toMatchObject(refusedByStore);
    expect(await store.listMinionKeys('accepted')).toEqual(['good']);
  });

  it('refuses an oversized key file', async () => {
    const store = new FsKeyStore(pki);
    await store.putMinionKey('pending', 'big', PUB);
    writeFileSync(join(pki, 'minions_pre', 'big'), Buffer.alloc((1 << 20) + 1, 0x41));
    await expect(store.getMinionKey('pending', 'big')).rejects.toMatchObject(refusedByStore);
  });
});
