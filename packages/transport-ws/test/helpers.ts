import WebSocket from 'ws';
import type { Address, HostAddress } from '@brine/contracts';

export const FAST_RECONNECT = { reconDefault: 20, reconMax: 200, reconRandomize: false };
export const LOOPBACK: HostAddress = { host: '127.0.0.1', port: 0 };

export function urlOf(address: Address, path = '/', scheme = 'ws'): string {
  const a = address as HostAddress;
  return `${scheme}://${a.host}:${a.port}${path}`;
}

/** A plain `ws` client that records what it receives: a stand-in for a Salt (aiohttp) peer. */
export interface RawWs {
  ws: WebSocket;
  /** Resolves with the next binary message (as it arrived, byte for byte). */
  next(): Promise<Buffer>;
  /** Resolves with the close code when the connection closes. */
  closed: Promise<number>;
}

export async function rawWs(url: string, options: WebSocket.ClientOptions = {}): Promise<RawWs> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  const inbox: Buffer[] = [];
  const waiting: Array<(b: Buffer) => void> = [];
  ws.on('message', (data: Buffer) => {
    const w = waiting.shift();
    if (w) w(data);
    else inbox.push(data);
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    next: () => {
      const b = inbox.shift();
      return b ? Promise.resolve(b) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Sends `frame` and waits until it is handed to the kernel. */
export function sendRaw(ws: WebSocket, frame: Uint8Array | string, binary = typeof frame !== 'string'): Promise<void> {
  return new Promise((resolve, reject) => ws.send(frame, { binary }, (e) => (e ? reject(e) : resolve())));
}
