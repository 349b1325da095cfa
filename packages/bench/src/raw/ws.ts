/** ws baselines: binary frames, no per-message deflate; the publisher yields while a client has > 1 MiB buffered. */
import { once } from 'node:events';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { LOOPBACK } from '../transports.js';
import type { EchoServer, OnMessage, Publisher, Requester, SubscriberGroup } from '../scenarios/types.js';
import { countdown } from './countdown.js';
import { loadWs, type WsServer, type WsSocket } from './libs.js';

const HIGH_WATER = 1 << 20;

async function serve(onSocket: (socket: WsSocket) => void): Promise<{ server: WsServer; port: number }> {
  const { WebSocketServer } = loadWs();
  const server = new WebSocketServer({ host: LOOPBACK, port: 0, perMessageDeflate: false, maxPayload: 1 << 28 });
  server.on('connection', (socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await once(server as unknown as NodeJS.EventEmitter, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

function closeServer(server: WsServer): Promise<void> {
  for (const c of server.clients) c.terminate();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function dial(port: number): Promise<WsSocket> {
  const { WebSocket } = loadWs();
  const socket = new WebSocket(`ws://${LOOPBACK}:${port}/`, { perMessageDeflate: false, maxPayload: 1 << 28 });
  socket.binaryType = 'nodebuffer';
  await once(socket as unknown as NodeJS.EventEmitter, 'open');
  socket.on('error', () => undefined);
  return socket;
}

export async function wsEchoServer(): Promise<EchoServer> {
  const { server, port } = await serve((socket) => {
    socket.on('message', (data) => socket.send(data, { binary: true }));
  });
  return { port, close: () => closeServer(server) };
}

export async function wsRequester(port: number): Promise<Requester> {
  const socket = await dial(port);
  const waiting: Array<(error?: unknown) => void> = [];
  socket.on('message', () => waiting.shift()?.());
  return {
    send(payload, done) {
      waiting.push(done);
      socket.send(payload, { binary: true });
    },
    async close() {
      socket.terminate();
    },
  };
}

export async function wsPublisher(): Promise<Publisher> {
  const joined = countdown();
  const { server, port } = await serve(() => joined.tick());
  return {
    port,
    waitSubscribers: (count, timeout) => joined.reach(count, timeout, 'ws subscribers'),
    async publish(payload) {
      let full = false;
      for (const c of server.clients) {
        c.send(payload, { binary: true });
        if (c.bufferedAmount > HIGH_WATER) full = true;
      }
      while (full) {
        await yieldToIo();
        full = [...server.clients].some((c) => c.bufferedAmount > HIGH_WATER);
      }
    },
    close: () => closeServer(server),
  };
}

export async function wsSubscribers(port: number, count: number, onMessage: OnMessage): Promise<SubscriberGroup> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = await dial(port);
      socket.on('message', (data) => onMessage(i, data));
      return socket;
    }),
  );
  return {
    async close() {
      for (const s of sockets) s.terminate();
    },
  };
}
