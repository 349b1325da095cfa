/**
 * One persistent connection, many requests in flight, replies matched first-in first-out: the
 * server must send replies in request order whatever order its handlers finish in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defer, type BrineError, type Closable, type Deferred, type PeerInfo } from '@brine/contracts';
import { wsTransport } from '../src/index.js';
import { FAST_RECONNECT, LOOPBACK } from './helpers.js';

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

const t = wsTransport({ reconnect: FAST_RECONNECT });

describe('request ordering and concurrency', () => {
  it('handlers run concurrently; replies come back matched even when handlers finish in reverse order', async () => {
    const server = track(t.requestServer());
    const gates: Array<Deferred<void>> = Array.from({ length: 5 }, () => defer<void>());
    let running = 0;
    let maxRunning = 0;
    const allStarted = defer<void>();
    const address = await server.listen(LOOPBACK, async (m) => {
      const i = (m as { i: number }).i;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (running === 5) allStarted.resolve();
      await gates[i]!.promise;
      running--;
      return { i, doubled: i * 2 };
    });
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    const replies = Array.from({ length: 5 }, (_, i) => client.request({ i }, { timeout: 5000 }));
    await allStarted.promise;
    for (let i = 4; i >= 0; i--) gates[i]!.resolve();
    expect(await Promise.all(replies)).toEqual(Array.from({ length: 5 }, (_, i) => ({ i, doubled: i * 2 })));
    expect(maxRunning).toBe(5);
  });

  it('a failing handler closes the connection after the earlier replies; later requests fail with ERR_CONNECTION_LOST; the client reconnects', async () => {
    const server = track(t.requestServer());
    const errors: Array<[BrineError, PeerInfo | undefined]> = [];
    server.events.on('error', (e, p) => errors.push([e, p]));
    const address = await server.listen(LOOPBACK, (m) => {
      if ((m as { fail?: boolean }).fail) throw new Error('boom');
      return m;
    });
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    const reconnected = new Promise<void>((resolve) => {
      client.events.once('disconnect').then(() => client.events.once('connect').then(() => resolve()));
    });
    const a = client.request({ n: 1 }, { timeout: 5000 });
    const b = client.request({ fail: true }, { timeout: 5000 });
    expect(await a).toEqual({ n: 1 });
    await expect(b).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_HANDLER']);
    expect((errors[0]![0].cause as Error).message).toBe('boom');
    await reconnected;
    expect(await client.request({ n: 3 }, { timeout: 5000 })).toEqual({ n: 3 });
  });

  it('the server handles at most highWaterMark requests of one connection at a time (bounded memory)', async () => {
    const server = track(t.requestServer({ highWaterMark: 4 }));
    const gate = defer<void>();
    let started = 0;
    const fourStarted = defer<void>();
    const address = await server.listen(LOOPBACK, async (m) => {
      started++;
      if ((m as { probe?: boolean }).probe) return 'probe';
      if (started === 4) fourStarted.resolve();
      await gate.promise;
      return started;
    });
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => client.request({ i }, { timeout: 10_000 })));
    await fourStarted.promise;
    const other = track(t.requestClient());
    await other.connect(address, { timeout: 5000 });
    expect(await other.request({ probe: true }, { timeout: 5000 })).toBe('probe');
    expect(started).toBe(5); // four from the first connection, held at the mark, plus the probe
    gate.resolve();
    expect((await all).length).toBe(20);
    expect(started).toBe(21);
  });

  it('abandons requests that time out; their late replies are discarded, not given to later requests', async () => {
    const server = track(t.requestServer());
    const slow = defer<void>();
    const address = await server.listen(LOOPBACK, async (m) => {
      if ((m as { slow?: boolean }).slow) await slow.promise;
      return m;
    });
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    await expect(client.request({ slow: true }, { timeout: 50 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const next = client.request({ after: 1 }, { timeout: 5000 });
    slow.resolve();
    expect(await next).toEqual({ after: 1 });
  });
});
