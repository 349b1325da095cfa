/** The factory, its options, and addresses (IPv6, local sockets). */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportRegistry, type Closable } from '@brine/contracts';
import { resolveWsOptions, wsTransport } from '../src/index.js';
import { FAST_RECONNECT } from './helpers.js';

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('wsTransport()', () => {
  it("is Salt's 'ws' transport and registers by that name", () => {
    const t = wsTransport();
    expect(t.name).toBe('ws');
    expect(t.capabilities).toEqual({ targetedPublish: true, presence: true, tls: true });
    expect(new TransportRegistry([t]).get('ws')).toBe(t);
  });

  it('has Salt-like defaults: deflate off, 64 MiB messages, 4 MiB per-subscriber buffer, /ws publish path', () => {
    const o = resolveWsOptions();
    expect(o).toMatchObject({
      perMessageDeflate: false,
      maxMessageSize: 64 * 1024 * 1024,
      maxBufferedAmount: 4 * 1024 * 1024,
      drainTimeout: 5000,
      slowSubscriber: 'disconnect',
      requestTimeout: 60_000,
      requestPath: '/',
      publishPath: '/ws',
      highWaterMark: 1000,
    });
  });

  it('rejects bad options with ERR_CONFIG', () => {
    expect(() => wsTransport({ slowSubscriber: 'stall' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
    expect(() => wsTransport({ maxBufferedAmount: 0 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    expect(() => wsTransport({ publishPath: 'ws' })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });

  it('refuses local-socket addresses with ERR_INVALID_ARGUMENT', async () => {
    const t = wsTransport();
    await expect(track(t.requestServer()).listen({ path: '/tmp/x.sock' }, () => null)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(track(t.requestClient()).connect({ path: '/tmp/x.sock' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('works over IPv6 loopback (bracketed URLs)', async (ctx) => {
    if (!(await hasIpv6Loopback())) ctx.skip();
    const t = wsTransport({ reconnect: FAST_RECONNECT });
    const server = track(t.requestServer());
    const address = await server.listen({ host: '::1', port: 0 }, (m) => ({ echo: m }));
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    expect(await client.request('v6', { timeout: 5000 })).toEqual({ echo: 'v6' });
  });

  it('a client keeps one address: connecting elsewhere is ERR_INVALID_STATE', async () => {
    const t = wsTransport({ reconnect: FAST_RECONNECT });
    const server = track(t.requestServer());
    const address = await server.listen({ host: '127.0.0.1', port: 0 }, () => null);
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    await expect(client.connect({ host: '127.0.0.1', port: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
  });

  it('uses requestTimeout when the caller gives no timeout', async () => {
    const t = wsTransport({ reconnect: FAST_RECONNECT, requestTimeout: 50 });
    const server = track(t.requestServer());
    const address = await server.listen({ host: '127.0.0.1', port: 0 }, () => new Promise(() => {}));
    const client = track(t.requestClient());
    await client.connect(address, { timeout: 5000 });
    await expect(client.request({})).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });
});
