/**
 * Every ws case of test/vectors/salt/frames.json (made by Salt 3007.1's own code), byte for byte:
 * the encoders, the decoders, and the bytes our servers and clients actually put in WebSocket
 * messages, checked with a plain `ws` peer standing in for Salt's aiohttp one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Closable, HostAddress } from '@brine/contracts';
import { decodeMessage, decodePublish, encodeMessage, encodePublish, wsTransport } from '../src/index.js';
import { b64, hex, loadVector, toHex } from '../../../test/helpers/vectors.js';
import { FAST_RECONNECT, LOOPBACK, rawWs, sendRaw, urlOf } from './helpers.js';

interface WsCase {
  name: string;
  note: string;
  hex: string;
  typed: unknown;
}

const cases = loadVector<{ ws: WsCase[] }>('frames.json').ws;

/** The vectors' typed JSON: `$str_b64` (str family holding bytes), `$bin`, `$b64` are byte strings. */
function fromTyped(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromTyped);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const key of ['$str_b64', '$bin', '$b64']) if (typeof o[key] === 'string') return b64(o[key]);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromTyped(x)]));
  }
  return v;
}

type Kind = 'request' | 'reply' | 'publish';
function kindOf(name: string): Kind {
  if (name.startsWith('req_')) return 'request';
  if (name.startsWith('rep_')) return 'reply';
  if (name.startsWith('pub_')) return 'publish';
  throw new Error(`frames.json ws case ${name}: unknown kind (extend this test)`);
}

const transport = wsTransport({ reconnect: FAST_RECONNECT });
const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function rawServer(): Promise<{ wss: WebSocketServer; address: HostAddress }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  opened.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
    closed: Promise.resolve(),
  });
  return { wss, address: { host: '127.0.0.1', port: (wss.address() as { port: number }).port } };
}

describe('frames.json ws vectors', () => {
  it('has the three kinds of ws message', () => {
    expect(new Set(cases.map((c) => kindOf(c.name)))).toEqual(new Set(['request', 'reply', 'publish']));
  });

  for (const c of cases) {
    const kind = kindOf(c.name);
    const value = fromTyped(c.typed);
    describe(c.name, () => {
      it('encodes to the Salt bytes', () => {
        const bytes = kind === 'publish' ? encodePublish(value as Uint8Array) : encodeMessage(value);
        expect(toHex(bytes)).toBe(c.hex);
      });

      it('decodes the Salt bytes', () => {
        if (kind === 'publish') expect(toHex(decodePublish(hex(c.hex)))).toBe(toHex(value as Uint8Array));
        else expect(decodeMessage(hex(c.hex))).toEqual(value);
      });

      if (kind === 'request') {
        it('request server: a Salt client message reaches the handler as the envelope', async () => {
          const server = track(transport.requestServer());
          const seen: unknown[] = [];
          const address = await server.listen(LOOPBACK, (m) => {
            seen.push(m);
            return 'ok';
          });
          const peer = await rawWs(urlOf(address));
          await sendRaw(peer.ws, hex(c.hex));
          expect(decodeMessage(await peer.next())).toBe('ok');
          expect(seen).toEqual([value]);
          peer.ws.terminate();
        });

        it('request client: puts exactly these bytes in the WebSocket message', async () => {
          const { wss, address } = await rawServer();
          const got = new Promise<Buffer>((resolve) =>
            wss.once('connection', (ws) => ws.once('message', (d: Buffer) => resolve(d))),
          );
          const client = track(transport.requestClient());
          await client.connect(address, { timeout: 5000 });
          void client.request(value).catch(() => {});
          expect(toHex(await got)).toBe(c.hex);
        });
      }

      if (kind === 'reply') {
        it('request server: the reply leaves as exactly these bytes', async () => {
          const server = track(transport.requestServer());
          const address = await server.listen(LOOPBACK, () => value);
          const peer = await rawWs(urlOf(address));
          await sendRaw(peer.ws, encodeMessage({ cmd: 'x' }));
          expect(toHex(await peer.next())).toBe(c.hex);
          peer.ws.terminate();
        });

        it('request client: resolves a Salt reply to the value', async () => {
          const { wss, address } = await rawServer();
          wss.on('connection', (ws) => ws.on('message', () => ws.send(hex(c.hex))));
          const client = track(transport.requestClient());
          await client.connect(address, { timeout: 5000 });
          expect(await client.request({ cmd: 'x' }, { timeout: 5000 })).toEqual(value);
        });
      }

      if (kind === 'publish') {
        it('publish server: a Salt subscriber on /ws receives exactly these bytes', async () => {
          const server = track(transport.publishServer());
          const address = await server.listen(LOOPBACK);
          const peer = await rawWs(urlOf(address, '/ws'));
          while (server.subscriberCount < 1) await server.events.once('connection');
          await server.publish(value as Uint8Array);
          expect(toHex(await peer.next())).toBe(c.hex);
          peer.ws.terminate();
        });

        it('publish client: yields the payload of a Salt publish message', async () => {
          const { wss, address } = await rawServer();
          const path = new Promise<string | undefined>((resolve) =>
            wss.once('connection', (ws, req) => {
              resolve(req.url);
              ws.send(hex(c.hex));
            }),
          );
          const client = track(transport.publishClient());
          await client.connect(address, { timeout: 5000 });
          const it = client[Symbol.asyncIterator]();
          const first = await it.next();
          expect(await path).toBe('/ws');
          expect(toHex(first.value as Uint8Array)).toBe(toHex(value as Uint8Array));
        });
      }
    });
  }
});
