/** Ping/pong keepalive: dead peers are detected on both sides, live silent ones are kept. */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { BrineError, Closable, PeerInfo } from '@brine/contracts';
import { wsTransport } from '../src/index.js';
import { FAST_RECONNECT, LOOPBACK, rawWs, urlOf } from './helpers.js';

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

const HEARTBEAT = { heartbeatInterval: 40, heartbeatTimeout: 200 };

describe('heartbeat', () => {
  it('a client declares a server that stops answering pings dead (ERR_PEER_DEAD) and reconnects', async () => {
    // A server that never answers pings nor sends anything: a half-open connection in disguise.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    track({
      close: () =>
        new Promise<void>((resolve) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => resolve());
        }),
      closed: Promise.resolve(),
    });
    let connections = 0;
    wss.on('connection', () => connections++);
    const client = track(wsTransport({ reconnect: FAST_RECONNECT, ...HEARTBEAT }).requestClient());
    await client.connect({ host: '127.0.0.1', port: (wss.address() as { port: number }).port }, { timeout: 5000 });
    const [error] = await client.events.once('disconnect', { signal: AbortSignal.timeout(5000) });
    expect(error?.code).toBe('ERR_PEER_DEAD');
    await client.events.once('connect', { signal: AbortSignal.timeout(5000) });
    expect(connections).toBe(2);
  });

  it('a server drops a subscriber that does not answer pings, and keeps one that does', async () => {
    const server = track(wsTransport(HEARTBEAT).publishServer());
    const errors: Array<[BrineError, PeerInfo | undefined]> = [];
    server.events.on('error', (e, p) => errors.push([e, p]));
    const address = await server.listen(LOOPBACK);
    const peers: PeerInfo[] = [];
    server.events.on('connection', (p) => peers.push(p));
    const deaf = await rawWs(urlOf(address, '/ws'), { autoPong: false });
    const live = await rawWs(urlOf(address, '/ws'));
    while (peers.length < 2) await server.events.once('connection');
    const [peer, error] = await server.events.once('disconnect', { signal: AbortSignal.timeout(5000) });
    expect(peer.id).toBe(peers[0]!.id);
    expect(error?.code).toBe('ERR_PEER_DEAD');
    expect(errors.map(([e]) => e.code)).toEqual(['ERR_PEER_DEAD']);
    expect(server.subscriberCount).toBe(1);
    // The live one, silent the whole time but answering pings, still gets publishes.
    await server.publish(new Uint8Array([9, 0xff]));
    expect(await live.next()).toEqual(Buffer.from([0xc4, 0x02, 0x09, 0xff]));
    await deaf.closed;
    live.ws.terminate();
  });
});
