/**
 * Malformed multipart messages in every direction. Each one is a typed ProtocolError, emitted as
 * `error` and logged, and the socket keeps serving (the same peer and everyone else).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Router, XPublisher, XSubscriber } from 'zeromq';
import {
  BrineError,
  createMemoryLogger,
  dumps,
  loads,
  ProtocolError,
  type BrineError as BrineErrorType,
  type Closable,
  type HostAddress,
  type PeerInfo,
} from '@brine/contracts';
import { zmqTopic, zmqTransport } from '../src/index.js';
import { endpointOf, FAST_RECONNECT, LOOPBACK } from './helpers.js';

const opened: Array<Closable | { close(): void }> = [];
const track = <T extends Closable | { close(): void }>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const EMPTY = Buffer.alloc(0);

describe('request server: malformed requests', () => {
  async function serverWithRawPeer() {
    const { logger, records } = createMemoryLogger('debug');
    const server = track(zmqTransport({ logger }).requestServer());
    const errors: Array<[BrineErrorType, PeerInfo | undefined]> = [];
    server.events.on('error', (e, p) => errors.push([e, p]));
    const address = await server.listen(LOOPBACK, (msg) => {
      if ((msg as { boom?: string }).boom === 'throw') throw new Error('handler bug');
      if ((msg as { boom?: string }).boom === 'reject') return Promise.reject(new Error('async handler bug'));
      return { echo: msg };
    });
    const raw = track(new Dealer({ linger: 0 }));
    raw.connect(endpointOf(address));
    const nextError = () => server.events.once('error', { signal: AbortSignal.timeout(5000) });
    const roundTrip = async (msg: unknown) => {
      await raw.send([EMPTY, dumps(msg)]);
      const frames = await raw.receive();
      expect(frames[0]!.length).toBe(0);
      return loads(new Uint8Array(frames[1]!));
    };
    return { server, raw, errors, records, nextError, roundTrip, address };
  }

  it('a message without an empty delimiter frame: ERR_BAD_FRAME, then the peer is served again', async () => {
    const { raw, nextError, roundTrip, records } = await serverWithRawPeer();
    const error = nextError();
    await raw.send([dumps({ no: 'delimiter' })]);
    const [e, peer] = await error;
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe('ERR_BAD_FRAME');
    expect(peer?.transport).toBe('zeromq');
    expect(records.some((r) => (r.error as BrineErrorType | undefined)?.code === 'ERR_BAD_FRAME')).toBe(true);
    expect(await roundTrip({ ok: 1 })).toEqual({ echo: { ok: 1 } });
  });

  it('two frames after the delimiter: ERR_BAD_FRAME', async () => {
    const { raw, nextError, roundTrip } = await serverWithRawPeer();
    const error = nextError();
    await raw.send([EMPTY, dumps({ a: 1 }), dumps({ b: 2 })]);
    expect((await error)[0].code).toBe('ERR_BAD_FRAME');
    expect(await roundTrip({ ok: 2 })).toEqual({ echo: { ok: 2 } });
  });

  it('only a delimiter, nothing after it: ERR_BAD_FRAME', async () => {
    const { raw, nextError, roundTrip } = await serverWithRawPeer();
    const error = nextError();
    await raw.send([EMPTY]);
    expect((await error)[0].code).toBe('ERR_BAD_FRAME');
    expect(await roundTrip({ ok: 3 })).toEqual({ echo: { ok: 3 } });
  });

  for (const [label, body] of [
    ['a body that is not msgpack', Buffer.from([0xc1, 0x00, 0x13])],
    ['a truncated msgpack body', Buffer.from(dumps({ cut: 'short' })).subarray(0, 5)],
    ['msgpack with trailing bytes', Buffer.concat([Buffer.from(dumps(1)), Buffer.from([0x01])])],
    ['an empty body', EMPTY],
  ] as const) {
    it(`${label}: ERR_DECODE, answered with Salt's {"msg": "bad load"}`, async () => {
      const { raw, nextError, roundTrip } = await serverWithRawPeer();
      const error = nextError();
      await raw.send([EMPTY, body]);
      const [e] = await error;
      expect(e).toBeInstanceOf(BrineError);
      expect(e.code).toBe('ERR_DECODE');
      const [delimiter, reply] = await raw.receive();
      expect(delimiter!.length).toBe(0);
      expect(loads(new Uint8Array(reply!))).toEqual({ msg: 'bad load' });
      expect(await roundTrip({ ok: 4 })).toEqual({ echo: { ok: 4 } });
    });
  }

  it('a handler that throws or rejects: ERR_HANDLER with the cause, no reply, others still served', async () => {
    const { raw, nextError, roundTrip } = await serverWithRawPeer();
    for (const boom of ['throw', 'reject']) {
      const error = nextError();
      await raw.send([EMPTY, dumps({ boom })]);
      const [e] = await error;
      expect(e.code).toBe('ERR_HANDLER');
      expect((e.cause as Error).message).toMatch(/handler bug/);
    }
    // The next reply on this socket is for the next request: the failed ones got none.
    expect(await roundTrip({ ok: 5 })).toEqual({ echo: { ok: 5 } });
  });
});

describe('a peer that hangs up during the ZMTP handshake (a TCP port check, a salt-minion recreating its socket)', () => {
  for (const kind of ['request', 'publish'] as const) {
    it(`${kind} server: ERR_CONNECTION_LOST event, logged at debug only (no error record)`, async () => {
      const { logger, records } = createMemoryLogger('debug');
      const t = zmqTransport({ logger });
      const listen = async (): Promise<{ address: HostAddress; error: Promise<[BrineErrorType, unknown]> }> => {
        const signal = AbortSignal.timeout(10_000);
        if (kind === 'request') {
          const server = track(t.requestServer());
          const address = (await server.listen(LOOPBACK, (msg) => ({ echo: msg }))) as HostAddress;
          return { address, error: server.events.once('error', { signal }) };
        }
        const server = track(t.publishServer());
        const address = (await server.listen(LOOPBACK)) as HostAddress;
        return { address, error: server.events.once('error', { signal }) };
      };
      const { address, error } = await listen();
      // Connect, wait for libzmq's greeting, then reset the connection (RST) mid-handshake.
      const socket = net.connect(address.port, address.host);
      await new Promise((resolve) => socket.once('data', resolve));
      socket.resetAndDestroy();
      const [e] = await error;
      expect(e.code).toBe('ERR_CONNECTION_LOST');
      expect(e.message).toMatch(/hung up during the ZMTP handshake/);
      expect(records.filter((r) => r.level === 'error' || r.level === 'warning')).toEqual([]);
      expect(records.some((r) => r.level === 'debug' && /hung up during the ZMTP handshake/.test(r.message))).toBe(
        true,
      );
    });
  }
});

describe('request client (requestPipelining): malformed replies', () => {
  async function clientWithRawServer() {
    const router = track(new Router({ linger: 0 }));
    await router.bind('tcp://127.0.0.1:*');
    const port = Number(/:(\d+)$/.exec(router.lastEndpoint!)![1]);
    const { logger, records } = createMemoryLogger('debug');
    const client = track(zmqTransport({ logger, reconnect: FAST_RECONNECT, requestPipelining: true }).requestClient());
    await client.connect({ host: '127.0.0.1', port }, { timeout: 10_000 });
    return { router, client, records };
  }

  it('a reply without the [id, delimiter, body] shape: ERR_BAD_FRAME on the client, the request still gets its real reply', async () => {
    const { router, client, records } = await clientWithRawServer();
    const reply = client.request({ q: 1 }, { timeout: 10_000 });
    const [identity, id, delimiter, body] = await router.receive();
    expect(delimiter!.length).toBe(0);
    expect(loads(new Uint8Array(body!))).toEqual({ q: 1 });
    const error = client.events.once('error', { signal: AbortSignal.timeout(5000) });
    await router.send([identity!, id!, dumps('no delimiter')]);
    expect((await error)[0].code).toBe('ERR_BAD_FRAME');
    expect(records.some((r) => (r.error as BrineErrorType | undefined)?.code === 'ERR_BAD_FRAME')).toBe(true);
    await router.send([identity!, Buffer.from([0, 0, 0, 99]), EMPTY, dumps('unknown id: ignored')]);
    await router.send([identity!, id!, EMPTY, dumps({ a: 1 })]);
    expect(await reply).toEqual({ a: 1 });
  });

  it('a reply body that is not msgpack rejects that request with ERR_DECODE', async () => {
    const { router, client } = await clientWithRawServer();
    const reply = client.request({ q: 2 }, { timeout: 10_000 });
    const [identity, id] = await router.receive();
    await router.send([identity!, id!, EMPTY, Buffer.from([0xc1])]);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_DECODE' });
    const again = client.request({ q: 3 }, { timeout: 10_000 });
    const [identity2, id2] = await router.receive();
    await router.send([identity2!, id2!, EMPTY, dumps('fine')]);
    expect(await again).toBe('fine');
  });
});

describe('publish: malformed messages', () => {
  it("the subscriber reports a 3-frame publish (ERR_BAD_FRAME), skips another minion's topic, and goes on", async () => {
    const pub = track(new XPublisher({ linger: 0 }));
    await pub.bind('tcp://127.0.0.1:*');
    const port = Number(/:(\d+)$/.exec(pub.lastEndpoint!)![1]);
    const client = track(zmqTransport({ zmqFiltering: true, reconnect: FAST_RECONNECT }).publishClient());
    await client.connect({ host: '127.0.0.1', port }, { timeout: 10_000, identity: 'minion1' });
    // Wait for the minion's own topic subscription (it comes after b"broadcast").
    for (;;) {
      const [sub] = await pub.receive();
      if (sub![0] === 1 && sub!.subarray(1).toString() === zmqTopic('minion1')) break;
    }
    const it = client[Symbol.asyncIterator]();
    const error = client.events.once('error', { signal: AbortSignal.timeout(10_000) });
    await pub.send(['broadcast', 'x', 'y']);
    expect((await error)[0].code).toBe('ERR_BAD_FRAME');
    await pub.send([zmqTopic('minion2'), Buffer.from([0xee])]); // SUB filters by prefix: not even received
    await pub.send([zmqTopic('minion1') + 'x', Buffer.from([0xdd])]); // prefix match, not our topic: skipped
    await pub.send([zmqTopic('minion1'), Buffer.from([0x01])]);
    expect([...((await it.next()).value as Uint8Array)]).toEqual([0x01]);
  });

  it('the publisher reports a message from an XSUB peer that is not a subscription (ERR_BAD_FRAME)', async () => {
    const server = track(zmqTransport().publishServer());
    const address = await server.listen(LOOPBACK);
    const errors = server.events.once('error', { signal: AbortSignal.timeout(10_000) });
    const xsub = track(new XSubscriber({ linger: 0 }));
    xsub.connect(endpointOf(address));
    await xsub.send(Buffer.from([0x01])); // subscribe to everything: counted as a subscriber
    await xsub.send(Buffer.from([0x07, 0x41])); // not a (un)subscription
    const [e] = await errors;
    expect(e.code).toBe('ERR_BAD_FRAME');
    expect(server.subscriberCount).toBe(1);
  });
});
