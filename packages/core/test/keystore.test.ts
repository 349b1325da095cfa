import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@brine/contracts';
import { KEY_STATES, MemoryKeyStore } from '@brine/core';
import type { KeyPairText, KeyState, KeyStore } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';

// One contract, run against every KeyStore.
const root = mkdtempSync(join(tmpdir(), 'brine-keystore-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const stores: Array<[string, () => KeyStore]> = [
  ['MemoryKeyStore', () => new MemoryKeyStore()],
  ['FsKeyStore', () => new FsKeyStore(join(root, `pki-${n++}`))],
];

const PAIR: KeyPairText = {
  privatePem: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n',
  publicPem: '-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----\n',
};
const PUB = (tag: string) => `-----BEGIN PUBLIC KEY-----\n${tag}\n-----END PUBLIC KEY-----`;
const HOSTILE_IDS = ['../x', 'minion/../../foo', '', '.', '..', 'a\\b', 'a\0b', 'a\u0001b', 'x'.repeat(256)];

describe.each(stores)('%s (KeyStore contract)', (_name, make) => {
  it('generates a key pair once, then reads it back', async () => {
    const store = make();
    const generate = vi.fn(async () => PAIR);
    expect(await store.ensureKeyPair('master', generate)).toEqual({ ...PAIR, created: true });
    expect(await store.ensureKeyPair('master', generate)).toEqual({ ...PAIR, created: false });
    expect(generate).toHaveBeenCalledTimes(1);
    expect(await store.readFile('master.pub')).toBe(PAIR.publicPem);
    expect(await store.readFile('master.pem')).toBe(PAIR.privatePem);
  });

  it('never generates over an existing private key whose public key is missing', async () => {
    const store = make();
    await store.writeFile('minion.pem', PAIR.privatePem, 0o400);
    const generate = vi.fn(async () => PAIR);
    await expect(store.ensureKeyPair('minion', generate)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
    expect(generate).not.toHaveBeenCalled();
  });

  it('regenerates when only the public key is left', async () => {
    const store = make();
    await store.writeFile('minion.pub', 'stale');
    const pair = await store.ensureKeyPair('minion', async () => PAIR);
    expect(pair.created).toBe(true);
    expect(await store.readFile('minion.pub')).toBe(PAIR.publicPem);
  });

  it('reads, writes and removes top-level files', async () => {
    const store = make();
    expect(await store.readFile('minion_master.pub')).toBeUndefined();
    await store.writeFile('minion_master.pub', PUB('M'));
    expect(await store.readFile('minion_master.pub')).toBe(PUB('M'));
    await store.writeFile('minion_master.pub', PUB('N'));
    expect(await store.readFile('minion_master.pub')).toBe(PUB('N'));
    expect(await store.removeFile('minion_master.pub')).toBe(true);
    expect(await store.removeFile('minion_master.pub')).toBe(false);
    expect(await store.readFile('minion_master.pub')).toBeUndefined();
  });

  it.each(['../master.pem', 'a/b', '.hidden', '', 'minions', 'minions_pre', '..', 'x\0'])(
    'refuses the top-level name %j',
    async (name) => {
      const store = make();
      await expect(store.readFile(name)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
      await expect(store.writeFile(name, 'x')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
      await expect(store.removeFile(name)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
      await expect(store.ensureKeyPair(name, async () => PAIR)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
    },
  );

  it('stores minion keys per state, lists them sorted', async () => {
    const store = make();
    for (const state of KEY_STATES) expect(await store.listMinionKeys(state)).toEqual([]);
    await store.putMinionKey('pending', 'web2', PUB('w2'));
    await store.putMinionKey('pending', 'web1', PUB('w1'));
    await store.putMinionKey('pending', 'ünï', PUB('u'));
    await store.putMinionKey('accepted', 'db', PUB('db'));
    expect(await store.listMinionKeys('pending')).toEqual(['web1', 'web2', 'ünï']);
    expect(await store.listMinionKeys('accepted')).toEqual(['db']);
    expect(await store.getMinionKey('pending', 'web1')).toBe(PUB('w1'));
    expect(await store.getMinionKey('accepted', 'web1')).toBeUndefined();
    await store.putMinionKey('pending', 'web1', PUB('w1b'));
    expect(await store.getMinionKey('pending', 'web1')).toBe(PUB('w1b'));
    expect(await store.removeMinionKey('pending', 'web1')).toBe(true);
    expect(await store.removeMinionKey('pending', 'web1')).toBe(false);
    expect(await store.removeMinionKey('rejected', 'nobody')).toBe(false);
    expect(await store.listMinionKeys('pending')).toEqual(['web2', 'ünï']);
  });

  it('moves keys between states', async () => {
    const store = make();
    await store.putMinionKey('pending', 'm1', PUB('new'));
    await store.putMinionKey('accepted', 'm1', PUB('old'));
    expect(await store.moveMinionKey('m1', 'pending', 'accepted')).toBe(true);
    expect(await store.getMinionKey('accepted', 'm1')).toBe(PUB('new'));
    expect(await store.getMinionKey('pending', 'm1')).toBeUndefined();
    expect(await store.moveMinionKey('m1', 'pending', 'accepted')).toBe(false);
    expect(await store.moveMinionKey('ghost', 'denied', 'rejected')).toBe(false);
    expect(await store.moveMinionKey('m1', 'accepted', 'accepted')).toBe(true);
    expect(await store.getMinionKey('accepted', 'm1')).toBe(PUB('new'));
  });

  it.each(HOSTILE_IDS)('refuses the id %j before touching storage', async (id) => {
    const store = make();
    const invalid = { code: ErrorCodes.INVALID_MINION_ID };
    await expect(store.getMinionKey('accepted', id)).rejects.toMatchObject(invalid);
    await expect(store.putMinionKey('pending', id, PUB('x'))).rejects.toMatchObject(invalid);
    await expect(store.removeMinionKey('accepted', id)).rejects.toMatchObject(invalid);
    await expect(store.moveMinionKey(id, 'pending', 'accepted')).rejects.toMatchObject(invalid);
    for (const state of KEY_STATES) expect(await store.listMinionKeys(state)).toEqual([]);
  });

  it('refuses an unknown state', async () => {
    const store = make();
    const state = '../../etc' as KeyState;
    await expect(store.getMinionKey(state, 'm')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
    await expect(store.putMinionKey(state, 'm', 'x')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
    await expect(store.listMinionKeys(state)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE });
  });
});
