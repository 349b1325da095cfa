// Fair service between peers: a heavy peer's requests back to back do not hold a light peer's
// request behind all of them. Time is a fake clock that only the heavy work moves, so the test
// counts ordering, never wall time.
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@brine/contracts';
import { Crypticle, FairScheduler, MinionKeys, type CommandHandler, type Dict, type KeyPairText } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';

import { loadVector } from '../../../test/helpers/vectors.js';
import { createMaster, overTheWire, storeWith, vectorPair, type MasterFixture } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('FairScheduler', () => {
  it('runs at once while the slice lasts (fast path: the result, not a promise)', () => {
    const scheduler = new FairScheduler({ sliceMs: 4, now: fakeClock().now });
    expect(scheduler.run('a', () => 42)).toBe(42);
    expect(scheduler.pending).toBe(0);
  });

  it('past the slice, peers are served in turn: the light one after one heavy item, not after all', async () => {
    const clock = fakeClock();
    const scheduler = new FairScheduler({ sliceMs: 4, now: clock.now });
    const order: string[] = [];
    const heavy = (i: number) => () => {
      clock.advance(10);
      order.push(`h${i}`);
    };
    const all: Array<unknown> = [];
    for (let i = 0; i < 20; i++) all.push(scheduler.run('heavy', heavy(i)));
    all.push(scheduler.run('light', () => order.push('light')));
    expect(scheduler.pending).toBe(20); // h0 ran at once and spent the slice
    expect(scheduler.pendingKeys).toBe(2);
    await Promise.all(all);
    expect(order.indexOf('light')).toBe(1); // h0 (running when light came), light, h1, h2, ...
    expect(order.filter((o) => o.startsWith('h'))).toEqual(Array.from({ length: 20 }, (_, i) => `h${i}`));
    expect(scheduler.pendingKeys).toBe(0);
  });

  it('a task that throws while waiting rejects its own promise only', async () => {
    const clock = fakeClock();
    const scheduler = new FairScheduler({ sliceMs: 1, now: clock.now });
    scheduler.run('a', () => clock.advance(5));
    const bad = scheduler.run('a', () => {
      throw new Error('boom');
    });
    const good = scheduler.run('b', () => 'ok');
    await expect(bad).rejects.toThrow('boom');
    await expect(good).resolves.toBe('ok');
  });

  it('sliceMs 0 turns it off (everything runs at once)', () => {
    const clock = fakeClock();
    const scheduler = new FairScheduler({ sliceMs: 0, now: clock.now });
    for (let i = 0; i < 5; i++) expect(scheduler.run('a', () => (clock.advance(100), i))).toBe(i);
  });
});

describe('ReqServerChannel: fair service between minions', () => {
  const pairKeys = loadVector<{ keys: { minion_pem: string; minion_pub: string } }>('auth_pair_zeromq.json').keys;
  const keys: Record<string, KeyPairText> = {
    heavy: vectorPair('minion'),
    light: { privatePem: pairKeys.minion_pem, publicPem: pairKeys.minion_pub },
  };
  let nonce = 0;

  async function request(master: MasterFixture, id: string, load: Dict): Promise<Dict> {
    const tok = await (await MinionKeys.load(await storeWith('minion', keys[id]!), suite)).token();
    const body: Dict = { ...load, id, nonce: (++nonce).toString(16).padStart(32, '0'), ts: Date.now() / 1000, tok };
    const blob = Crypticle.fromKey(suite, master.sessions.keyFor(id)).dumps(body);
    return { enc: 'aes', load: blob, version: 3, id, enc_algo: 'OAEP-SHA1', sig_algo: 'PKCS1v15-SHA1' };
  }

  const context = (peer: string): RequestContext => ({
    peer: { id: peer, transport: 'test' },
    signal: new AbortController().signal,
  });

  it.each([
    ['with the scheduler', 4, (order: string[]) => expect(order.indexOf('light')).toBeLessThanOrEqual(2)],
    [
      'without it (sliceMs 0), the light minion is served last',
      0,
      (order: string[]) => expect(order.at(-1)).toBe('light'),
    ],
  ])("a light minion between a heavy minion's requests: %s", async (_name, sliceMs, check) => {
    const clock = fakeClock();
    const order: string[] = [];
    const work: CommandHandler = (load) => {
      if (load.id === 'heavy') clock.advance(10); // e.g. 1000 events fired on the bus
      order.push(load.id === 'heavy' ? `h${String(load.i)}` : 'light');
      return true;
    };
    const master = await createMaster({
      suite,
      commands: new Map([['_minion_event', work]]),
      channel: { scheduler: new FairScheduler({ sliceMs, now: clock.now }) },
    });
    for (const id of Object.keys(keys)) await master.store.putMinionKey('accepted', id, keys[id]!.publicPem);
    const heavy = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(master, 'heavy', { cmd: '_minion_event', i, events: [] })),
    );
    const light = await request(master, 'light', { cmd: '_minion_event', events: [] });
    const replies = [
      ...heavy.map((r) => master.channel.handle(overTheWire(r), context('conn-heavy'))),
      master.channel.handle(overTheWire(light), context('conn-light')),
    ];
    const settled = await Promise.all(replies);
    expect(settled.every((r) => r instanceof Uint8Array)).toBe(true); // all served, encrypted
    expect(order).toHaveLength(21);
    check(order);
    expect(master.errors).toEqual([]);
  });
});
