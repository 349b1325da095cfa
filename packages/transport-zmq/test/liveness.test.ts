/**
 * Connection life: ZMTP heartbeats notice a hung master in well under a second here (seconds
 * with the defaults), requests in flight fail with ERR_CONNECTION_LOST while queued ones wait for
 * the reconnect, and the subscriber behaves (and logs) as Salt's does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, defer, type Closable } from '@brine/contracts';
import { zmqTopic, zmqTransport } from '../src/index.js';
import { rawConnect } from '@brine/compliance/raw';
import { FAST_RECONNECT, LOOPBACK, tapProxy, type TapProxy } from './helpers.js';

const opened: Array<Closable | TapProxy> = [];
const track = <T extends Closable | TapProxy>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const HEARTBEAT = { heartbeatInterval: 50, heartbeatTimeout: 250 };

describe('request client liveness', () => {
  it('notices a hung master through heartbeats and fails the request in flight with ERR_CONNECTION_LOST', async () => {
    const t = zmqTransport({ ...HEARTBEAT, reconnect: FAST_RECONNECT });
    const server = track(t.requestServer());
    const received = defer<void>();
    const address = await server.listen(LOOPBACK, () => {
      received.resolve();
      return new Promise(() => {});
    });
    const tap = track(await tapProxy(address as typeof LOOPBACK));
    const client = track(t.requestClient());
    await client.connect(tap.address, { timeout: 10_000 });
    const pending = client.request({ slow: true }, { timeout: 30_000 });
    pending.catch(() => undefined);
    await received.promise;
    const disconnected = client.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
    const started = performance.now();
    tap.freeze(); // the master stops answering but its TCP connection stays open
    const [reason] = await disconnected;
    expect(reason?.code).toBe('ERR_CONNECTION_LOST');
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect(client.connected).toBe(false);
  });

  it('sends a request made while disconnected once the master is back', async () => {
    const t = zmqTransport({ reconnect: FAST_RECONNECT });
    let server = t.requestServer();
    const address = await server.listen(LOOPBACK, () => 'first');
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 10_000 });
    expect(await client.request(1, { timeout: 5000 })).toBe('first');
    const disconnected = client.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
    await server.close();
    await disconnected;
    const queued = client.request(2, { timeout: 20_000 }); // waits for a connection
    server = track(t.requestServer());
    await server.listen(address, (m) => `second:${String(m)}`);
    expect(await queued).toBe('second:2');
  });
});

describe('publish client', () => {
  it("logs Salt's reconnect lines and subscribes on the wire as salt-minion does", async () => {
    const { logger, records } = createMemoryLogger('debug');
    const t = zmqTransport({ zmqFiltering: true });
    const server = track(t.publishServer());
    const address = await server.listen(LOOPBACK);
    const tap = track(await tapProxy(address as typeof LOOPBACK));
    const presence = server.events.once('presence', { signal: AbortSignal.timeout(10_000) });
    const client = track(t.publishClient({ logger }));
    await client.connect(tap.address, { timeout: 10_000, identity: 'minion1' });

    const lines = records.map((r) => r.message);
    const generated = lines
      .map((l) => /^Generated random reconnect delay between '(\d+)ms' and '(\d+)ms' \((\d+)\)$/.exec(l))
      .find(Boolean);
    expect(generated).toBeTruthy();
    const d = Number(generated![3]);
    expect(d).toBeGreaterThanOrEqual(1000);
    expect(d).toBeLessThanOrEqual(11000);
    expect(Number(generated![1])).toBe(d);
    expect(Number(generated![2])).toBe(d + 10000);
    expect(lines).toContain(`Setting zmq_reconnect_ivl to '${d}ms'`);
    expect(lines).toContain(`Setting zmq_reconnect_ivl_max to '${d + 10000}ms'`);
    expect(records.filter((r) => r.message.startsWith('Setting zmq_')).every((r) => r.level === 'debug')).toBe(true);

    // The presence id is the minion's topic.
    const [peer, id] = await presence;
    expect(id).toBe(zmqTopic('minion1'));
    expect(peer.transport).toBe('zeromq');
    // On the wire, as captured from salt-minion: READY with Socket-Type SUB, then ZMTP 3.1
    // SUBSCRIBE commands for b"broadcast" and the sha1 topic. (libzmq sends the Identity property
    // for REQ/DEALER/ROUTER only, so the SUB's IDENTITY, set as Salt does, never reaches the wire.)
    const up = tap.upstream();
    const command = (body: Buffer) => Buffer.concat([Buffer.from([0x04, body.length]), body]);
    const property = (name: string, value: string) =>
      Buffer.concat([
        Buffer.from([name.length]),
        Buffer.from(name),
        Buffer.alloc(3),
        Buffer.from([value.length]),
        Buffer.from(value),
      ]);
    expect(up.includes(command(Buffer.concat([Buffer.from('\x05READY'), property('Socket-Type', 'SUB')])))).toBe(true);
    expect(up.includes(command(Buffer.from('\x09SUBSCRIBEbroadcast')))).toBe(true);
    expect(up.includes(command(Buffer.from(`\x09SUBSCRIBE${zmqTopic('minion1')}`)))).toBe(true);
    expect(up.includes(Buffer.from('Identity'))).toBe(false);
  });

  it('notices a hung publisher through heartbeats', async () => {
    const t = zmqTransport({ ...HEARTBEAT, reconnect: FAST_RECONNECT });
    const server = track(t.publishServer());
    const address = await server.listen(LOOPBACK);
    const tap = track(await tapProxy(address as typeof LOOPBACK));
    const client = track(t.publishClient());
    await client.connect(tap.address, { timeout: 10_000, identity: 'm' });
    const disconnected = client.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
    tap.freeze();
    expect((await disconnected)[0]?.code).toBe('ERR_CONNECTION_LOST');
  });
});

describe('publish server', () => {
  it('counts subscribers as they come and go, with connection/disconnect events', async () => {
    const t = zmqTransport({ reconnect: FAST_RECONNECT });
    const server = track(t.publishServer());
    const address = await server.listen(LOOPBACK);
    const a = track(t.publishClient());
    const b = t.publishClient();
    const joined = (n: number) =>
      server.events.once('connection', {
        signal: AbortSignal.timeout(10_000),
        filter: () => server.subscriberCount >= n,
      });
    let wait = joined(1);
    await a.connect(address, { timeout: 10_000 });
    await wait;
    wait = joined(2);
    await b.connect(address, { timeout: 10_000 });
    await wait;
    const left = server.events.once('disconnect', { signal: AbortSignal.timeout(10_000) });
    await b.close();
    const [peer, error] = await left;
    expect(peer.transport).toBe('zeromq');
    expect(error).toBeUndefined();
    expect(server.subscriberCount).toBe(1);
  });

  it('drops a peer that connects and never finishes the ZMTP handshake (ERR_IDLE_TIMEOUT)', async () => {
    const server = track(zmqTransport({ idleTimeout: 150 }).publishServer());
    const address = await server.listen(LOOPBACK);
    const error = server.events.once('error', { signal: AbortSignal.timeout(10_000) });
    const raw = await rawConnect(address);
    await raw.closed;
    expect((await error)[0].code).toBe('ERR_IDLE_TIMEOUT');
  });

  it('rejects publishing after close with ERR_CLOSED and refuses oversized payloads', async () => {
    const server = zmqTransport({ maxMessageSize: 1024 }).publishServer();
    await server.listen(LOOPBACK);
    await expect(server.publish(new Uint8Array(2048))).rejects.toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE' });
    await server.close();
    await expect(server.publish(new Uint8Array(1))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('factory', () => {
  it('is named zeromq, targets only under zmq_filtering, and refuses TLS', () => {
    expect(zmqTransport().name).toBe('zeromq');
    expect(zmqTransport().capabilities).toEqual({ targetedPublish: false, presence: false, tls: false });
    expect(zmqTransport({ zmqFiltering: true }).capabilities.targetedPublish).toBe(true);
    expect(() => zmqTransport({ ssl: true })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    expect(() => zmqTransport({ linger: -2 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });
});
