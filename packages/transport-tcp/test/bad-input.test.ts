import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, packb, type Address, type BrineError, type Closable } from '@brine/contracts';
import { tcpTransport } from '@brine/transport-tcp';
import { rawConnect } from '@brine/compliance/raw';

const opened: Closable[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function server(options: Parameters<typeof tcpTransport>[0] = {}) {
  const { logger, records } = createMemoryLogger('debug');
  const t = tcpTransport({ logger, ...options });
  const s = t.requestServer();
  opened.push(s);
  const errors: BrineError[] = [];
  s.events.on('error', (e) => errors.push(e));
  const address = await s.listen({ host: '127.0.0.1', port: 0 }, (msg) => ({ echo: msg }));
  return { s, address, errors, records, t };
}

async function stillServes(address: Address): Promise<void> {
  const c = tcpTransport().requestClient();
  opened.push(c);
  await c.connect(address, { timeout: 5000 });
  expect(await c.request({ ok: true }, { timeout: 5000 })).toEqual({ echo: { ok: true } });
}

async function sendAndExpectDrop(bytes: Uint8Array, code: string, options = {}) {
  const { address, errors, records } = await server(options);
  const raw = await rawConnect(address);
  raw.write(bytes);
  await raw.closed;
  expect(errors.map((e) => e.code)).toContain(code);
  expect(records.some((r) => (r.error as BrineError | undefined)?.code === code)).toBe(true);
  await stillServes(address);
}

describe('TCP request server: bad input', () => {
  it('malformed msgpack (0xc1) -> ERR_DECODE, connection dropped', async () => {
    await sendAndExpectDrop(new Uint8Array([0x82, 0xc1, 0x00]), 'ERR_DECODE');
  });

  it('a value that is not a map -> ERR_BAD_FRAME', async () => {
    await sendAndExpectDrop(packb([1, 2, 3]), 'ERR_BAD_FRAME');
  });

  it('a map without head -> ERR_BAD_FRAME', async () => {
    await sendAndExpectDrop(packb({ body: { cmd: 'x' } }), 'ERR_BAD_FRAME');
  });

  it('a head that is not a map -> ERR_BAD_FRAME', async () => {
    await sendAndExpectDrop(packb({ head: 'mid', body: 1 }), 'ERR_BAD_FRAME');
  });

  it('a map without body -> ERR_BAD_FRAME', async () => {
    await sendAndExpectDrop(packb({ head: { mid: 1 } }), 'ERR_BAD_FRAME');
  });

  it('a frame whose declared length is over the limit is refused before its data arrives', async () => {
    // bin32 header declaring 1 GiB: only 5 bytes are sent.
    const header = new Uint8Array([
      0x82, 0xa4, 0x68, 0x65, 0x61, 0x64, 0x80, 0xa4, 0x62, 0x6f, 0x64, 0x79, 0xc6, 0x40, 0, 0, 0,
    ]);
    await sendAndExpectDrop(header, 'ERR_MESSAGE_TOO_LARGE', { maxMessageSize: 1 << 20 });
  });

  it('a truncated frame that never completes is dropped after idleTimeout', async () => {
    const full = packb({ head: { mid: 1 }, body: { cmd: 'x' } });
    await sendAndExpectDrop(full.subarray(0, full.length - 2), 'ERR_IDLE_TIMEOUT', { idleTimeout: 150 });
  });

  it('an array declaring four billion elements is refused at once', async () => {
    await sendAndExpectDrop(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), 'ERR_MESSAGE_TOO_LARGE');
  });

  it('a handler that throws is reported as ERR_HANDLER and the connection keeps working', async () => {
    const { logger } = createMemoryLogger('debug');
    const s = tcpTransport({ logger }).requestServer();
    opened.push(s);
    const errors: BrineError[] = [];
    s.events.on('error', (e) => errors.push(e));
    const address = await s.listen({ host: '127.0.0.1', port: 0 }, (msg) => {
      if ((msg as { boom?: boolean }).boom) throw new Error('boom');
      return 'fine';
    });
    const c = tcpTransport().requestClient();
    opened.push(c);
    await c.connect(address, { timeout: 5000 });
    await expect(c.request({ boom: true }, { timeout: 200 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(errors.map((e) => e.code)).toEqual(['ERR_HANDLER']);
    expect(await c.request({ boom: false }, { timeout: 5000 })).toBe('fine');
  });

  it('frames split byte by byte and many frames in one chunk are both served', async () => {
    const { address } = await server();
    const raw = await rawConnect(address);
    const replies: Buffer[] = [];
    raw.socket.on('data', (d: Buffer) => replies.push(d));
    const one = Buffer.from(packb({ head: { mid: 1 }, body: 'a' }));
    for (const byte of one) raw.write(new Uint8Array([byte]));
    const many = Buffer.concat([2, 3, 4].map((mid) => Buffer.from(packb({ head: { mid }, body: mid }))));
    raw.write(many);
    const expected = Buffer.concat([
      Buffer.from(packb({ head: { mid: 1 }, body: { echo: 'a' } })),
      ...[2, 3, 4].map((mid) => Buffer.from(packb({ head: { mid }, body: { echo: mid } }))),
    ]);
    while (Buffer.concat(replies).length < expected.length) {
      await new Promise((resolve) => raw.socket.once('data', resolve));
    }
    expect(Buffer.concat(replies).equals(expected)).toBe(true);
    raw.destroy();
  });
});
