import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { KeyManager, MemoryKeyStore } from '@brine/core';
import type { KeyChange, KeyManagerOptions } from '@brine/core';
import { vectorKey } from '../../../test/helpers/vectors.js';

const sha = { digest: (alg: string, data: Uint8Array) => new Uint8Array(createHash(alg).update(data).digest()) };
const PUB = (tag: string) => `-----BEGIN PUBLIC KEY-----\n${tag}\n-----END PUBLIC KEY-----`;

async function setup(options: KeyManagerOptions = {}) {
  const store = new MemoryKeyStore();
  const changes: KeyChange[] = [];
  const keys = new KeyManager(store, sha, { onChange: (c) => void changes.push(c), ...options });
  for (const id of ['web1', 'web2', 'db1', 'Alpha']) await store.putMinionKey('pending', id, PUB(id));
  return { store, keys, changes };
}

describe('KeyManager', () => {
  it('lists keys by state, sorted ignoring case like salt-key', async () => {
    const { keys } = await setup();
    expect(await keys.list()).toEqual({
      accepted: [],
      pending: ['Alpha', 'db1', 'web1', 'web2'],
      rejected: [],
      denied: [],
    });
  });

  it('accepts pending keys by glob and reports the change', async () => {
    const { keys, store, changes } = await setup();
    expect(await keys.accept('web*')).toEqual(['web1', 'web2']);
    expect(await keys.list()).toMatchObject({ accepted: ['web1', 'web2'], pending: ['Alpha', 'db1'] });
    expect(await store.getMinionKey('accepted', 'web1')).toBe(PUB('web1'));
    expect(changes).toEqual([
      {
        action: 'accept',
        ids: ['web1', 'web2'],
        moves: [
          { id: 'web1', from: 'pending', to: 'accepted' },
          { id: 'web2', from: 'pending', to: 'accepted' },
        ],
        rotate: false,
      },
    ]);
  });

  it('takes comma-separated patterns, ? and [...] globs, and literal ids', async () => {
    const { keys } = await setup();
    expect(await keys.accept('db?,Alpha')).toEqual(['Alpha', 'db1']);
    expect(await keys.accept('web[!1]')).toEqual(['web2']);
    expect(await keys.match('*1')).toMatchObject({ accepted: ['db1'], pending: ['web1'] });
  });

  it('matches an id that contains glob characters literally', async () => {
    const { keys, store } = await setup();
    await store.putMinionKey('pending', 'rack[1]', PUB('r'));
    expect(await keys.accept('rack[1]')).toEqual(['rack[1]']);
  });

  it('rejects pending keys and asks for a rotation', async () => {
    const { keys, changes } = await setup();
    expect(await keys.reject('db1')).toEqual(['db1']);
    expect(await keys.list()).toMatchObject({ rejected: ['db1'], pending: ['Alpha', 'web1', 'web2'] });
    expect(changes.at(-1)).toMatchObject({ action: 'reject', ids: ['db1'], rotate: true });
  });

  it('touches rejected and accepted keys only when asked', async () => {
    const { keys } = await setup();
    await keys.reject('db1');
    await keys.accept('web1');
    expect(await keys.accept('db1')).toEqual([]);
    expect(await keys.reject('web1')).toEqual([]);
    expect(await keys.accept('db1', { includeRejected: true })).toEqual(['db1']);
    expect(await keys.reject('web1', { includeAccepted: true })).toEqual(['web1']);
    expect(await keys.list()).toMatchObject({ accepted: ['db1'], rejected: ['web1'] });
  });

  it('accepts a denied key over the accepted one and asks for a rotation', async () => {
    const { keys, store, changes } = await setup();
    await keys.accept('web1');
    await store.putMinionKey('denied', 'web1', PUB('NEWweb1'));
    expect(await keys.accept('web1')).toEqual([]);
    expect(await keys.accept('web1', { includeDenied: true })).toEqual(['web1']);
    expect(await store.getMinionKey('accepted', 'web1')).toBe(PUB('NEWweb1'));
    expect(await store.getMinionKey('denied', 'web1')).toBeUndefined();
    expect(changes.at(-1)).toMatchObject({ action: 'accept', rotate: true });
  });

  it('keeps one of accepted/pending/rejected per id', async () => {
    const { keys, store } = await setup();
    await store.putMinionKey('rejected', 'web1', PUB('old'));
    expect(await keys.accept('web1')).toEqual(['web1']);
    expect(await store.getMinionKey('rejected', 'web1')).toBeUndefined();
  });

  it('does not accept a key that is not a public key', async () => {
    const { keys, store } = await setup();
    await store.putMinionKey('pending', 'junk', 'not a key');
    await store.putMinionKey('pending', 'empty', '');
    expect(await keys.accept('*')).toEqual(['Alpha', 'db1', 'web1', 'web2']);
    expect(await keys.list()).toMatchObject({ pending: ['empty', 'junk'] });
    const strict = new KeyManager(store, sha, { isAcceptableKey: (pem) => pem === 'not a key' });
    expect(await strict.accept('*')).toEqual(['junk']);
  });

  it('deletes keys in every state and asks for a rotation', async () => {
    const { keys, store, changes } = await setup();
    await keys.accept('web1');
    await keys.reject('db1');
    await store.putMinionKey('denied', 'web1', PUB('d'));
    expect(await keys.delete('web1,db1')).toEqual(['db1', 'web1']);
    expect(await keys.list()).toEqual({ accepted: [], pending: ['Alpha', 'web2'], rejected: [], denied: [] });
    expect(changes.at(-1)).toEqual({
      action: 'delete',
      ids: ['db1', 'web1'],
      moves: [
        { id: 'web1', from: 'accepted' },
        { id: 'db1', from: 'rejected' },
        { id: 'web1', from: 'denied' },
      ],
      rotate: true,
    });
    expect(await keys.delete('*')).toEqual(['Alpha', 'web2']);
  });

  it('reports nothing when nothing matched', async () => {
    const onChange = vi.fn();
    const { keys } = await setup({ onChange });
    expect(await keys.delete('nobody*')).toEqual([]);
    expect(await keys.reject('nobody')).toEqual([]);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('propagates a failing onChange (a rotation that did not happen is an error)', async () => {
    const { keys } = await setup({ onChange: () => Promise.reject(new Error('disk full')) });
    await expect(keys.delete('web1')).rejects.toThrow('disk full');
  });

  describe('finger', () => {
    // Salt 3008.2: /tmp/saltvenv/v3008/bin/python -c "import salt.utils.crypt as c;
    //   print(c.pem_finger('test/vectors/salt/keys/minion.pub'))"  (and master.pub, and sum_type='sha1')
    const MINION = 'ed:7c:a0:8d:84:31:85:c6:45:1d:b7:33:e1:8a:da:04:e4:5c:64:4f:75:e5:29:5c:3e:87:53:e8:8d:37:54:35';
    const MASTER = '4f:87:0d:75:14:21:24:18:f9:70:1e:9e:a4:52:87:a1:0a:84:11:3c:07:41:1c:90:97:04:6d:69:7c:87:6e:fa';
    const MINION_SHA1 = '9e:df:da:03:46:da:72:bf:00:7a:d6:84:b9:a3:31:9c:be:83:a2:a2';

    it("gives Salt's fingerprint of a minion key", async () => {
      const store = new MemoryKeyStore();
      await store.putMinionKey('accepted', 'minion', vectorKey('minion.pub'));
      await store.putMinionKey('pending', 'other', vectorKey('master.pub'));
      const keys = new KeyManager(store, sha);
      expect(await keys.finger('minion')).toEqual({ accepted: { minion: MINION } });
      expect(await keys.finger('*')).toEqual({ accepted: { minion: MINION }, pending: { other: MASTER } });
      expect(await keys.finger('nobody')).toEqual({});
      const sha1 = new KeyManager(store, sha, { finger: { algorithm: 'sha1' } });
      expect(await sha1.finger('minion')).toEqual({ accepted: { minion: MINION_SHA1 } });
    });

    it("gives the master's own fingerprint for 'local'", async () => {
      const store = new MemoryKeyStore();
      await store.writeFile('master.pub', vectorKey('master.pub'));
      const keys = new KeyManager(store, sha);
      expect(await keys.finger('local')).toEqual({ local: { 'master.pub': MASTER } });
      expect(keys.fingerprint(vectorKey('minion.pub'))).toBe(MINION);
    });
  });
});
