// A byte-level TCP proxy in front of the master's request port that records what the client sent,
// so the whole client stream (ws upgrade or ZMTP greeting included) can be replayed later on a
// fresh connection, as a captured session would be.
import net from 'node:net';
import { HOST } from './clients.js';

export interface RecordingProxy {
  port: number;
  /** Every byte clients sent, per connection, in order. */
  streams: Buffer[][];
  close(): Promise<void>;
}

export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const streams: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const chunks: Buffer[] = [];
    streams.push(chunks);
    const outbound = net.connect({ host: HOST, port: targetPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      outbound.write(d);
    });
    outbound.on('data', (d: Buffer) => inbound.write(d));
  });
  await new Promise<void>((resolve) => server.listen({ host: HOST, port: 0 }, resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    streams,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Replays one recorded client stream on a new connection to `port`; resolves with the bytes the
 * server sent back within `waitMs` after the last write.
 */
export async function replayStream(port: number, chunks: Buffer[], waitMs = 2000): Promise<Buffer> {
  const socket = net.connect({ host: HOST, port });
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const c of chunks) socket.write(c);
  await new Promise((resolve) => {
    const t = setTimeout(resolve, waitMs);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(undefined);
    });
  });
  socket.destroy();
  return Buffer.concat(received);
}
