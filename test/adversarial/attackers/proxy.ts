// A byte-level TCP proxy in front of the master's request port that records what the client sent,
// so the whole client stream (ws upgrade or ZMTP greeting included) can be replayed later on a
// fresh connection, as a captured session would be.
import net from 'node:net';
import { HOST } from './clients.js';

/** One chunk the client sent, and how many bytes the server had sent it before. */
export interface RecordedChunk {
  data: Buffer;
  serverBytesBefore: number;
}

export interface RecordingProxy {
  port: number;
  /** Every chunk clients sent, per connection, in order. */
  streams: RecordedChunk[][];
  close(): Promise<void>;
}

export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const streams: RecordedChunk[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const chunks: RecordedChunk[] = [];
    let fromServer = 0;
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
      chunks.push({ data: Buffer.from(d), serverBytesBefore: fromServer });
      outbound.write(d);
    });
    outbound.on('data', (d: Buffer) => {
      fromServer += d.length;
      inbound.write(d);
    });
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
 * Replays one recorded client stream on a new connection to `port`, paced as the original
 * conversation was: each chunk goes out once the server has sent as many bytes as it had before
 * that chunk in the recording, or after `stepMs` (replies to replayed requests are shorter than the
 * originals). Without the pacing a ZMTP peer's messages would arrive before the server's READY, a
 * handshake error no real client makes. Resolves with the bytes the server sent back within
 * `waitMs` after the last write.
 */
export async function replayStream(
  port: number,
  chunks: readonly RecordedChunk[],
  waitMs = 2000,
  stepMs = 500,
): Promise<Buffer> {
  const socket = net.connect({ host: HOST, port });
  const received: Buffer[] = [];
  let receivedBytes = 0;
  let closed = false;
  let onProgress: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    received.push(d);
    receivedBytes += d.length;
    onProgress?.();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    onProgress?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const until = (done: () => boolean, ms: number) =>
    new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        onProgress = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      onProgress = () => {
        if (done()) finish();
      };
      onProgress();
    });
  for (const c of chunks) {
    await until(() => closed || receivedBytes >= c.serverBytesBefore, stepMs);
    if (closed) break;
    socket.write(c.data);
  }
  await until(() => closed, waitMs);
  socket.destroy();
  return Buffer.concat(received);
}
