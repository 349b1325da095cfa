/**
 * The publish server at the high-water mark: it never drops silently below the mark, it waits up
 * to `drainTimeout` for a full subscriber, then sends to everyone else, counts the miss in a
 * `drop` event, and the full subscriber recovers once it reads again. Synchronised on events and
 * log records, never on sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, defer, type Closable, type LogRecord, type PublishClient } from '@brine/contracts';
import { zmqTransport } from '../src/index.js';
import { FAST_RECONNECT, LOOPBACK } from './helpers.js';

const HWM = 10;
const SIZE = 64 * 1024; // large messages fill the kernel's socket buffers quickly

const opened: Closable[] = [];
const track = <T extends Closable>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const message = (i: number): Uint8Array => {
  const b = new Uint8Array(SIZE);
  new DataView(b.buffer).setUint32(0, i);
  b[4] = 0xff;
  return b;
};
const seqOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);

/** Reads a subscriber in the background; `until(n)` resolves once it has `n` messages, `sees(x)` once it got `x`. */
function collect(client: PublishClient) {
  const got: number[] = [];
  const waiters: Array<{ done(): boolean; resolve(): void }> = [];
  const wait = (done: () => boolean): Promise<void> =>
    done() ? Promise.resolve() : new Promise((resolve) => waiters.push({ done, resolve }));
  void (async () => {
    for await (const m of client) {
      got.push(seqOf(m));
      for (const w of waiters.filter((x) => x.done())) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  return {
    got,
    until: (n: number) => wait(() => got.length >= n),
    sees: (x: number) => wait(() => got.includes(x)),
  };
}

async function setup(drainTimeout: number) {
  const atMark: Array<() => void> = [];
  const logger = createLogger({
    level: 'debug',
    sink: (r: LogRecord) => {
      if (r.message.includes('at the high-water mark')) for (const f of atMark.splice(0)) f();
    },
  });
  const t = zmqTransport({ highWaterMark: HWM, drainTimeout, reconnect: FAST_RECONNECT });
  const server = track(t.publishServer({ logger }));
  const address = await server.listen(LOOPBACK);
  const slow = track(t.publishClient());
  const fast = track(t.publishClient());
  await slow.connect(address, { timeout: 10_000, identity: 'slow' });
  await fast.connect(address, { timeout: 10_000, identity: 'fast' });
  while (server.subscriberCount < 2) await server.events.once('connection', { signal: AbortSignal.timeout(10_000) });
  const nextFull = (): Promise<void> => new Promise((resolve) => atMark.push(resolve));
  return { server, slow, fast, nextFull };
}

describe('publish server at the high-water mark', () => {
  it('waits for a full subscriber and loses nothing when it drains within drainTimeout', async () => {
    const { server, slow, fast, nextFull } = await setup(60_000);
    const full = nextFull();
    const drops: number[] = [];
    server.events.on('drop', (_peer, n) => drops.push(n));
    const fastReader = collect(fast);
    let published = 0;
    const N = 400;
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await server.publish(message(i));
        published++;
      }
    })();
    await full; // libzmq refused a publish: the slow subscriber (not reading) is at its mark
    expect(published).toBeLessThan(N);

    const slowReader = collect(slow); // reading again lets the publisher go on
    await publishing;
    await Promise.all([slowReader.until(N), fastReader.until(N)]);
    expect(drops).toEqual([]);
    expect(slowReader.got).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(fastReader.got).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('after drainTimeout sends to the others, emits drop, and the full subscriber recovers', async () => {
    const drainTimeout = 200;
    const { server, slow, fast } = await setup(drainTimeout);
    const drops: Array<[string | undefined, number]> = [];
    const dropped = defer<void>();
    server.events.on('drop', (peer, n) => {
      drops.push([peer?.id, n]);
      dropped.resolve();
    });
    const fastReader = collect(fast);

    // Publish until the slow subscriber has been full for drainTimeout.
    let firstDropped = -1;
    let slowestPublish = 0;
    for (let i = 0; i < 20_000 && firstDropped < 0; i++) {
      const started = performance.now();
      await server.publish(message(i));
      slowestPublish = Math.max(slowestPublish, performance.now() - started);
      if (drops.length > 0) firstDropped = i;
    }
    await dropped.promise;
    expect(firstDropped).toBeGreaterThan(HWM); // libzmq queue + TCP buffers + the client's queue
    expect(drops).toEqual([[undefined, 1]]);
    expect(slowestPublish).toBeGreaterThanOrEqual(drainTimeout * 0.9);

    // Below the mark nothing was dropped: the slow subscriber gets every message before the drop, in order.
    const slowReader = collect(slow);
    await slowReader.until(firstDropped);
    expect(slowReader.got.slice(0, firstDropped)).toEqual(Array.from({ length: firstDropped }, (_, i) => i));

    // The other subscriber was never stalled beyond drainTimeout and missed nothing.
    await fastReader.until(firstDropped + 1);
    expect(fastReader.got).toEqual(Array.from({ length: firstDropped + 1 }, (_, i) => i));

    // Drained, the slow subscriber receives again (libzmq reactivated its queue before the last
    // message it held went out, so the next publish reaches it).
    const marker = 1_000_000;
    await server.publish(message(marker));
    await slowReader.sees(marker);
    expect(slowReader.got.at(-1)).toBe(marker);
    // At most the dropped message itself reached it (if it had room by then); nothing else.
    expect(slowReader.got.slice(firstDropped, -1).every((n) => n === firstDropped)).toBe(true);
  });
});

describe('request client at the high-water mark', () => {
  it('with requestPipelining, keeps at most highWaterMark requests outstanding; the next waits for a reply, a timed-out waiter never goes out', async () => {
    const t = zmqTransport({ highWaterMark: 2, reconnect: FAST_RECONNECT, requestPipelining: true });
    const server = track(t.requestServer());
    const held: Array<{ n: number; answer(v: unknown): void }> = [];
    const arrived: Array<() => void> = [];
    const address = await server.listen(LOOPBACK, (msg) => {
      const n = (msg as { n: number }).n;
      return new Promise((answer) => {
        held.push({ n, answer });
        for (const f of arrived.splice(0)) f();
      });
    });
    const nextArrival = (): Promise<void> => new Promise((resolve) => arrived.push(resolve));
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 10_000 });

    let arrival = nextArrival();
    const r1 = client.request({ n: 1 }, { timeout: 10_000 });
    await arrival;
    arrival = nextArrival();
    const r2 = client.request({ n: 2 }, { timeout: 10_000 });
    await arrival;
    const expired = client.request({ n: 3 }, { timeout: 50 }); // waits for room, then times out
    await expect(expired).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const r4 = client.request({ n: 4 }, { timeout: 10_000 }); // waits for room
    expect(held.map((h) => h.n)).toEqual([1, 2]);

    arrival = nextArrival();
    held[0]!.answer('one');
    expect(await r1).toBe('one');
    await arrival; // the reply freed a slot: request 4 (not the expired 3) went out
    expect(held.map((h) => h.n)).toEqual([1, 2, 4]);
    held[1]!.answer('two');
    held[2]!.answer('four');
    expect(await Promise.all([r2, r4])).toEqual(['two', 'four']);
  });
});
