/** node:net baselines: 4-byte big-endian length prefix, noDelay, replies corked per 'data' event. */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from '../transports.js';
import type { EchoServer, OnMessage, Publisher, Requester, SubscriberGroup } from '../scenarios/types.js';
import { countdown } from './countdown.js';

/** Splits a stream into length-prefixed frames; `frame` is the body, `whole` includes the prefix. */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(private readonly onFrame: (frame: Buffer, whole: Buffer) => void) {}

  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readUInt32BE(offset);
      if (buf.length - offset - 4 < length) break;
      this.onFrame(buf.subarray(offset + 4, offset + 4 + length), buf.subarray(offset, offset + 4 + length));
      offset += 4 + length;
    }
    this.rest = offset < buf.length ? buf.subarray(offset) : undefined;
  }
}

export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

async function listen(server: Server): Promise<number> {
  server.listen({ host: LOOPBACK, port: 0 });
  await once(server, 'listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function netEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new FrameReader((_frame, whole) => socket.write(whole));
    socket.on('data', (chunk: Buffer) => {
      socket.cork();
      reader.push(chunk);
      socket.uncork();
    });
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server, sockets) };
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: LOOPBACK, port, noDelay: true });
  await once(socket, 'connect');
  socket.on('error', () => undefined);
  return socket;
}

export async function netRequester(port: number): Promise<Requester> {
  const socket = await dial(port);
  const waiting: Array<(error?: unknown) => void> = [];
  const reader = new FrameReader(() => waiting.shift()?.());
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  let last: Uint8Array | undefined;
  let framed: Buffer = Buffer.alloc(0);
  return {
    send(payload, done) {
      if (payload !== last) {
        last = payload;
        framed = frame(payload);
      }
      waiting.push(done);
      socket.write(framed);
    },
    async close() {
      socket.destroy();
    },
  };
}

export async function netPublisher(): Promise<Publisher> {
  const sockets = new Set<Socket>();
  const joined = countdown();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    joined.tick();
  });
  const port = await listen(server);
  return {
    port,
    waitSubscribers: (count, timeout) => joined.reach(count, timeout, 'net subscribers'),
    async publish(payload) {
      const data = frame(payload);
      let drains: Array<Promise<unknown>> | undefined;
      for (const s of sockets) {
        if (!s.write(data)) (drains ??= []).push(once(s, 'drain'));
      }
      if (drains) await Promise.all(drains);
    },
    close: () => closeServer(server, sockets),
  };
}

export async function netSubscribers(port: number, count: number, onMessage: OnMessage): Promise<SubscriberGroup> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = await dial(port);
      const reader = new FrameReader((body) => onMessage(i, body));
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      return socket;
    }),
  );
  return {
    async close() {
      for (const s of sockets) s.destroy();
    },
  };
}
