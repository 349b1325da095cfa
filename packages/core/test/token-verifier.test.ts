import { ErrorCodes } from '@brine/contracts';
import { MemoryKeyStore, MinionKeys, TokenVerifier, type KeyState } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejection, storeWith, vectorPair } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
let tok: Uint8Array;

beforeAll(async () => {
  tok = await (await MinionKeys.load(await storeWith('minion', vectorPair('minion')), suite)).token();
});

/** A master key store holding minion1's accepted key, counting reads of accepted keys. */
async function countingStore(): Promise<{ store: MemoryKeyStore; reads: () => number }> {
  const store = new MemoryKeyStore();
  await store.putMinionKey('accepted', 'minion1', vectorPair('minion').publicPem);
  let reads = 0;
  const get = store.getMinionKey.bind(store);
  store.getMinionKey = (state: KeyState, id: string) => {
    if (state === 'accepted') reads++;
    return get(state, id);
  };
  return { store, reads: () => reads };
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('TokenVerifier recheck window', () => {
  it('trusts a verified token for recheckMs, then reads the accepted key again', async () => {
    const { store, reads } = await countingStore();
    const time = clock();
    const tokens = new TokenVerifier(suite, store, { recheckMs: 1000, now: time.now });
    await tokens.verify('minion1', tok);
    time.advance(999);
    await tokens.verify('minion1', tok);
    expect(reads()).toBe(1);
    time.advance(1);
    await tokens.verify('minion1', tok);
    expect(reads()).toBe(2);
  });

  it('refuses a key removed behind its back once the window has passed', async () => {
    const { store } = await countingStore();
    const time = clock();
    const tokens = new TokenVerifier(suite, store, { recheckMs: 1000, now: time.now });
    await tokens.verify('minion1', tok);
    await store.removeMinionKey('accepted', 'minion1');
    time.advance(1000);
    expect((await rejection(tokens.verify('minion1', tok))).code).toBe(ErrorCodes.TOKEN_INVALID);
  });

  it('with recheckMs 0 reads the key on every request and refuses a removed key at once', async () => {
    const { store, reads } = await countingStore();
    const tokens = new TokenVerifier(suite, store, { recheckMs: 0 });
    await tokens.verify('minion1', tok);
    await tokens.verify('minion1', tok);
    expect(reads()).toBe(2);
    await store.removeMinionKey('accepted', 'minion1');
    expect((await rejection(tokens.verify('minion1', tok))).code).toBe(ErrorCodes.TOKEN_INVALID);
  });

  it('forget and clear end the window at once', async () => {
    const { store, reads } = await countingStore();
    const tokens = new TokenVerifier(suite, store, { recheckMs: 60_000 });
    await tokens.verify('minion1', tok);
    tokens.forget('minion1');
    await tokens.verify('minion1', tok);
    tokens.clear();
    await store.removeMinionKey('accepted', 'minion1');
    expect((await rejection(tokens.verify('minion1', tok))).code).toBe(ErrorCodes.TOKEN_INVALID);
    expect(reads()).toBe(3);
  });

  it('a different token inside the window is checked in full and refused', async () => {
    const { store } = await countingStore();
    const tokens = new TokenVerifier(suite, store, { recheckMs: 60_000 });
    await tokens.verify('minion1', tok);
    const forged = tok.slice();
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 1;
    expect((await rejection(tokens.verify('minion1', forged))).code).toBe(ErrorCodes.TOKEN_INVALID);
    // The genuine token still passes afterwards.
    await tokens.verify('minion1', tok);
  });
});
