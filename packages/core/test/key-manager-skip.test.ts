import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyManager } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { vectorPair } from './helpers/auth-fixtures.js';

describe('bulk key operations skip one bad key file (issue 10, item 6)', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('accept *, finger * and readKey go on past an oversized pending key, reporting it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-'));
    const store = new FsKeyStore(dir);
    const pem = vectorPair('minion').publicPem;
    for (const id of ['a1', 'b2', 'c3']) await store.putMinionKey('pending', id, pem);
    await writeFile(join(dir, 'minions_pre', 'aa-huge'), pem + 'A'.repeat(2 << 20));
    const skipped: string[] = [];
    const keys = new KeyManager(store, createNodeSaltSuite(), { onSkip: ({ id }) => skipped.push(id) });
    const fingers = await keys.finger('*');
    expect(Object.keys(fingers.pending ?? {}).sort()).toEqual(['a1', 'b2', 'c3']);
    expect(await keys.accept('*')).toEqual(['a1', 'b2', 'c3']);
    expect(skipped).toEqual(['aa-huge', 'aa-huge']);
    expect((await keys.list()).accepted).toEqual(['a1', 'b2', 'c3']);
  });
});
