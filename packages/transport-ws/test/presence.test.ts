/** Targeting on the publish channel, and compatibility with subscribers that never identify (Salt). */
import { afterEach, describe, expect, it } from 'vitest';
import { wsTransport } from '../src/index.js';
import type { Closable, PeerInfo } from '@brine/contracts';
import { FAST_RECONNECT, LOOPBACK, rawWs, urlOf } from './helpers.js';

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

const t = wsTransport({ reconnect: FAST_RECONNECT });

describe('presence and targeting', () => {
  it('a subscriber that never identifies (a salt-minion) gets every publish, targeted ones included', async () => {
    const server = track(t.publishServer());
    const address = await server.listen(LOOPBACK, { presence: (m) => (m as { id: string }).id });
    const salt = await rawWs(urlOf(address, '/ws'));
    const brine = track(t.publishClient());
    await brine.connect(address, { timeout: 5000, presence: async () => ({ id: 'beta' }) });
    await server.events.once('presence', { signal: AbortSignal.timeout(5000) });
    const brineIt = brine[Symbol.asyncIterator]();
    await server.publish(new Uint8Array([1, 0xff]), { topics: ['alpha'] });
    await server.publish(new Uint8Array([2, 0xff]), { topics: ['beta'] });
    await server.publish(new Uint8Array([3, 0xff]));
    expect([...(await salt.next())]).toEqual([0xc4, 2, 1, 0xff]);
    expect([...(await salt.next())]).toEqual([0xc4, 2, 2, 0xff]);
    expect([...(await salt.next())]).toEqual([0xc4, 2, 3, 0xff]);
    expect([...((await brineIt.next()).value as Uint8Array)]).toEqual([2, 0xff]);
    expect([...((await brineIt.next()).value as Uint8Array)]).toEqual([3, 0xff]);
    salt.ws.terminate();
  });

  it('the presence message is dumps(message) in one binary frame, sent again on every reconnect', async () => {
    const presenceSeen: unknown[] = [];
    let server = track(t.publishServer());
    const address = await server.listen(LOOPBACK, {
      presence: (m) => {
        presenceSeen.push(m);
        return 'm1';
      },
    });
    let calls = 0;
    const client = track(t.publishClient());
    await client.connect(address, { timeout: 5000, presence: async () => ({ id: 'm1', n: ++calls }) });
    await server.events.once('presence', { signal: AbortSignal.timeout(5000) });
    const down = client.events.once('disconnect', { signal: AbortSignal.timeout(5000) });
    await server.close();
    await down;
    server = track(t.publishServer());
    const identified = new Promise<[PeerInfo, string]>((resolve) =>
      server.events.on('presence', (p, id) => resolve([p, id])),
    );
    await server.listen(address, {
      presence: (m) => {
        presenceSeen.push(m);
        return 'm1';
      },
    });
    expect((await identified)[1]).toBe('m1');
    expect(presenceSeen).toEqual([
      { id: 'm1', n: 1 },
      { id: 'm1', n: 2 },
    ]);
  });

  it('a presence handler that throws is reported (ERR_HANDLER); the subscriber stays unidentified and gets everything', async () => {
    const server = track(t.publishServer());
    const address = await server.listen(LOOPBACK, {
      presence: () => {
        throw new Error('bad token');
      },
    });
    const client = track(t.publishClient());
    await client.connect(address, { timeout: 5000, presence: async () => ({ id: 'x' }) });
    const [error] = await server.events.once('error', { signal: AbortSignal.timeout(5000) });
    expect(error.code).toBe('ERR_HANDLER');
    const it = client[Symbol.asyncIterator]();
    await server.publish(new Uint8Array([5, 0xff]), { topics: ['someone-else'] });
    expect([...((await it.next()).value as Uint8Array)]).toEqual([5, 0xff]);
  });
});
