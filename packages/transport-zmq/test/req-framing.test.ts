/**
 * The request client's default framing is a salt-minion REQ socket's: `[b"", body]`, one request on
 * the wire at a time. Salt 3008's default master (worker_pools_enabled) puts a routing device in
 * front of its workers that reads the body as frame 2 of `[identity, b"", body]` and answers
 * anything else with `{"error": "Routing error"}` (salt/transport/zeromq.py
 * `zmq_device_pooled`); the raw ROUTER below plays that device.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from 'zeromq';
import { createMemoryLogger, dumps, loads, type Closable } from '@brine/contracts';
import { zmqTransport } from '../src/index.js';
import { FAST_RECONNECT } from './helpers.js';

const opened: Array<Closable | { close(): void }> = [];
const track = <T extends Closable | { close(): void }>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const EMPTY = Buffer.alloc(0);

/** A ROUTER that checks every request the way Salt 3008's pooled device does. */
async function pooledDevice() {
  // receiveTimeout: a receive that finds nothing fails with EAGAIN instead of taking a later message.
  const router = track(new Router({ linger: 0, receiveTimeout: 300 }));
  await router.bind('tcp://127.0.0.1:*');
  const port = Number(/:(\d+)$/.exec(router.lastEndpoint!)![1]);
  /** The next request: its routing identity and decoded body; fails unless framed `[identity, b"", body]`. */
  const next = async (): Promise<{ identity: Buffer; load: unknown }> => {
    const deadline = Date.now() + 10_000;
    let frames: Buffer[];
    for (;;) {
      try {
        frames = await router.receive();
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EAGAIN' || Date.now() > deadline) throw error;
      }
    }
    expect(frames).toHaveLength(3);
    expect(frames[1]!.length).toBe(0);
    return { identity: frames[0]!, load: loads(new Uint8Array(frames[2]!)) };
  };
  const answer = (identity: Buffer, reply: unknown) => router.send([identity, EMPTY, dumps(reply)]);
  return { router, port, next, answer };
}

async function clientFor(port: number, options: Parameters<typeof zmqTransport>[0] = {}) {
  const { logger, records } = createMemoryLogger('debug');
  const client = track(zmqTransport({ logger, reconnect: FAST_RECONNECT, ...options }).requestClient());
  await client.connect({ host: '127.0.0.1', port }, { timeout: 10_000 });
  return { client, records };
}

describe('request client, default (REQ) framing', () => {
  it("sends [b'', body] as a REQ socket does, one request at a time, each getting its own reply", async () => {
    const device = await pooledDevice();
    const { client } = await clientFor(device.port);
    const replies = [1, 2, 3].map((n) => client.request({ cmd: '_return', n }, { timeout: 10_000 }));
    for (const n of [1, 2, 3]) {
      const { identity, load } = await device.next();
      expect(load).toEqual({ cmd: '_return', n });
      // The next request is not on the wire before this one is answered.
      await expect(device.router.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
      await device.answer(identity, { ok: n });
    }
    expect(await Promise.all(replies)).toEqual([{ ok: 1 }, { ok: 2 }, { ok: 3 }]);
  });

  it("a late reply to a timed-out request is not taken for the next one's: the socket is replaced", async () => {
    const device = await pooledDevice();
    const { client, records } = await clientFor(device.port);
    const first = client.request({ n: 1 }, { timeout: 100 });
    const stale = await device.next();
    expect(stale.load).toEqual({ n: 1 });
    await expect(first).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const second = client.request({ n: 2 }, { timeout: 10_000 });
    const fresh = await device.next();
    expect(fresh.load).toEqual({ n: 2 });
    // A new connection (a new routing identity); the answer to the abandoned request goes nowhere.
    expect(fresh.identity.equals(stale.identity)).toBe(false);
    await device.answer(stale.identity, { late: 1 });
    await device.answer(fresh.identity, { ok: 2 });
    expect(await second).toEqual({ ok: 2 });
    expect(records.some((r) => r.message.includes('abandoned in flight'))).toBe(true);
  });

  it('closing with a request on the wire rejects it with ERR_CLOSED and connects no fresh socket', async () => {
    const device = await pooledDevice();
    const { client, records } = await clientFor(device.port);
    const pending = client.request({ n: 1 }, { timeout: 10_000 });
    await device.next();
    await client.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(records.some((r) => r.message.includes('abandoned in flight'))).toBe(false);
  });

  it('reports a reply that is not [b"", body] (ERR_BAD_FRAME) and still takes the real reply', async () => {
    const device = await pooledDevice();
    const { client } = await clientFor(device.port);
    const reply = client.request({ q: 1 }, { timeout: 10_000 });
    const { identity } = await device.next();
    const error = client.events.once('error', { signal: AbortSignal.timeout(5000) });
    await device.router.send([identity, Buffer.from([0, 0, 0, 1]), EMPTY, dumps('an id frame: not REQ')]);
    expect((await error)[0].code).toBe('ERR_BAD_FRAME');
    await device.answer(identity, { a: 1 });
    expect(await reply).toEqual({ a: 1 });
  });

  it('with requestPipelining, sends [request id, b"", body] (which the pooled device cannot route)', async () => {
    const device = await pooledDevice();
    const { client } = await clientFor(device.port, { requestPipelining: true });
    void client.request({ q: 1 }, { timeout: 500 }).catch(() => undefined);
    const frames = await device.router.receive();
    expect(frames).toHaveLength(4);
    expect(frames[1]!.length).toBe(4);
    expect(frames[2]!.length).toBe(0);
  });
});
