/**
 * Bad input on the request and publish ports: each case ends in a typed error event (and a log
 * record), the offending connection is dropped, and a good client is still served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BrineError,
  createMemoryLogger,
  ProtocolError,
  type Address,
  type BrineError as BrineErrorType,
  type Closable,
  type LogRecord,
  type PeerInfo,
} from '@brine/contracts';
import { encodeMessage, wsTransport } from '../src/index.js';
import { rawConnect } from '@brine/compliance/raw';
import { FAST_RECONNECT, LOOPBACK, rawWs, sendRaw, urlOf } from './helpers.js';

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

const t = wsTransport({ reconnect: FAST_RECONNECT });

async function requestServer(options: Parameters<typeof t.requestServer>[0] = {}) {
  const { logger, records } = createMemoryLogger('debug');
  const server = track(t.requestServer({ logger, ...options }));
  const errors: Array<[BrineErrorType, PeerInfo | undefined]> = [];
  server.events.on('error', (e, p) => errors.push([e, p]));
  const address = await server.listen(LOOPBACK, (m) => ({ echo: m }));
  return { server, address, errors, records };
}

async function stillServes(address: Address): Promise<void> {
  const good = track(t.requestClient());
  await good.connect(address, { timeout: 5000 });
  expect(await good.request({ ok: 1 }, { timeout: 5000 })).toEqual({ echo: { ok: 1 } });
}

function logged(records: LogRecord[], code: string): boolean {
  return records.some((r) => (r.error as BrineErrorType | undefined)?.code === code);
}

async function readAll(raw: Awaited<ReturnType<typeof rawConnect>>): Promise<string> {
  let text = '';
  raw.socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await raw.closed;
  return text;
}

describe('request server: bad input', () => {
  it('a text frame other than "close": ERR_BAD_FRAME, connection closed (1003)', async () => {
    const { address, errors, records } = await requestServer();
    const peer = await rawWs(urlOf(address));
    await sendRaw(peer.ws, 'hello');
    expect(await peer.closed).toBe(1003);
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_BAD_FRAME']);
    expect(errors[0]![0]).toBeInstanceOf(ProtocolError);
    expect(errors[0]![1]?.transport).toBe('ws');
    expect(logged(records, 'ERR_BAD_FRAME')).toBe(true);
    await stillServes(address);
  });

  it('the text frame "close" (Salt) closes cleanly after the replies before it', async () => {
    const { address, errors } = await requestServer();
    const peer = await rawWs(urlOf(address));
    await sendRaw(peer.ws, encodeMessage({ first: 1 }));
    await sendRaw(peer.ws, 'close');
    expect((await peer.next()).length).toBeGreaterThan(0);
    expect(await peer.closed).toBe(1000);
    expect(errors).toEqual([]);
  });

  it('a binary message that is not msgpack: ERR_DECODE, connection closed (1007)', async () => {
    const { address, errors, records } = await requestServer();
    const peer = await rawWs(urlOf(address));
    await sendRaw(peer.ws, new Uint8Array([0xc1, 0x00]));
    expect(await peer.closed).toBe(1007);
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_DECODE']);
    expect(logged(records, 'ERR_DECODE')).toBe(true);
    await stillServes(address);
  });

  it('a message over maxMessageSize: ERR_MESSAGE_TOO_LARGE, connection closed (1009)', async () => {
    const { address, errors, records } = await requestServer({ maxMessageSize: 1024 });
    const peer = await rawWs(urlOf(address));
    await sendRaw(peer.ws, encodeMessage({ big: new Uint8Array(4096) }));
    expect(await peer.closed).toBe(1009);
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_MESSAGE_TOO_LARGE']);
    expect(logged(records, 'ERR_MESSAGE_TOO_LARGE')).toBe(true);
    await stillServes(address);
  });

  it('bytes that are not HTTP: ERR_BAD_FRAME, connection dropped', async () => {
    const { address, errors, records } = await requestServer();
    const raw = await rawConnect(address);
    raw.write(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xc1, 0xc1, 0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]));
    await raw.closed;
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_BAD_FRAME']);
    expect(errors[0]![0]).toBeInstanceOf(BrineError);
    expect(logged(records, 'ERR_BAD_FRAME')).toBe(true);
    await stillServes(address);
  });

  it('a peer that never completes the HTTP upgrade: ERR_IDLE_TIMEOUT after idleTimeout', async () => {
    const { address, errors, records } = await requestServer({ idleTimeout: 150 });
    const raw = await rawConnect(address);
    raw.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'));
    await raw.closed;
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_IDLE_TIMEOUT']);
    expect(errors[0]![0]).toBeInstanceOf(ProtocolError);
    expect(logged(records, 'ERR_IDLE_TIMEOUT')).toBe(true);
    await stillServes(address);
  });

  it('a malformed WebSocket handshake: ERR_BAD_FRAME and HTTP 400', async () => {
    const { address, errors } = await requestServer();
    const raw = await rawConnect(address);
    const reply = readAll(raw);
    raw.write(
      new TextEncoder().encode(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    expect(await reply).toMatch(/^HTTP\/1\.1 400/);
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_BAD_FRAME']);
    await stillServes(address);
  });

  it('a plain HTTP request gets 426 Upgrade Required and no error', async () => {
    const { address, errors } = await requestServer();
    const raw = await rawConnect(address);
    const reply = readAll(raw);
    raw.write(new TextEncoder().encode('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    expect(await reply).toMatch(/^HTTP\/1\.1 426/);
    expect(errors).toEqual([]);
  });

  it('any path upgrades (Salt does no routing)', async () => {
    const { address } = await requestServer();
    const peer = await rawWs(urlOf(address, '/some/where?x=1'));
    await sendRaw(peer.ws, encodeMessage('hi'));
    expect(await peer.next()).toEqual(Buffer.from(encodeMessage({ echo: 'hi' })));
    peer.ws.terminate();
  });
});

describe('publish server: bad input', () => {
  async function publishServer(options: Parameters<typeof t.publishServer>[0] = {}) {
    const { logger, records } = createMemoryLogger('debug');
    const server = track(t.publishServer({ logger, ...options }));
    const errors: BrineErrorType[] = [];
    server.events.on('error', (e) => errors.push(e));
    const address = await server.listen(LOOPBACK, { presence: (m) => (m as { id?: string }).id });
    return { server, address, errors, records };
  }

  async function stillPublishes(server: Awaited<ReturnType<typeof publishServer>>['server'], address: Address) {
    const client = track(t.publishClient());
    const before = server.subscriberCount;
    await client.connect(address, { timeout: 5000 });
    while (server.subscriberCount <= before) await server.events.once('connection');
    const it = client[Symbol.asyncIterator]();
    await server.publish(new Uint8Array([7, 0xff]));
    expect((await it.next()).value).toEqual(new Uint8Array([7, 0xff]));
  }

  it('garbage bytes: typed error, dropped, others still served', async () => {
    const { server, address, errors, records } = await publishServer();
    const raw = await rawConnect(address);
    raw.write(new Uint8Array([0xc1, 0xc1, 0xc1, 0xff, 0x00, 0x13, 0x37]));
    await raw.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_BAD_FRAME']);
    expect(logged(records, 'ERR_BAD_FRAME')).toBe(true);
    await stillPublishes(server, address);
  });

  it('a peer that never upgrades: ERR_IDLE_TIMEOUT', async () => {
    const { server, address, errors } = await publishServer({ idleTimeout: 150 });
    const raw = await rawConnect(address);
    await raw.closed;
    expect(errors.map((e) => e.code)).toEqual(['ERR_IDLE_TIMEOUT']);
    await stillPublishes(server, address);
  });

  it('text frames and undecodable presence messages do not disturb delivery (Salt ignores what subscribers send)', async () => {
    const { server, address, errors } = await publishServer();
    const peer = await rawWs(urlOf(address, '/ws'));
    while (server.subscriberCount < 1) await server.events.once('connection');
    await sendRaw(peer.ws, 'hello');
    await sendRaw(peer.ws, new Uint8Array([0xc1]));
    await server.events.once('error');
    expect(errors.map((e) => e.code)).toEqual(['ERR_DECODE']);
    await server.publish(new Uint8Array([1, 0xff]));
    expect(await peer.next()).toEqual(Buffer.from([0xc4, 0x02, 0x01, 0xff]));
    peer.ws.terminate();
  });

  it('publish() refuses a payload over maxMessageSize', async () => {
    const { server } = await publishServer({ maxMessageSize: 1024 });
    await expect(server.publish(new Uint8Array(2048))).rejects.toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE' });
  });
});
