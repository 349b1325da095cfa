// Byte-level floods from raw sockets: partial frames that trickle, oversized declared lengths,
// clients that never read their replies, and connection floods (slowloris).
import { setTimeout as delay } from 'node:timers/promises';
import type { Transport } from '../harness/daemons.js';
import { messageHeader, rawOpen, request, writeFlushed, type RawConnection } from './wire.js';

async function openAll(transport: Transport, port: number, n: number): Promise<RawConnection[]> {
  const out: RawConnection[] = [];
  for (let i = 0; i < n; i++) out.push(await rawOpen(transport, port));
  return out;
}

export interface TrickleResult {
  connections: number;
  declaredBytes: number;
  sentBytes: number;
  /** Connections the server closed before we gave up, and when (ms after their first byte). */
  dropped: number;
  maxDropMs: number;
}

/**
 * `n` connections each start a message declaring `declared` bytes, send `head` bytes of it, then
 * trickle 4 bytes every 100 ms for at most `holdMs`.
 */
export async function trickle(
  transport: Transport,
  port: number,
  { n, declared, head, holdMs }: { n: number; declared: number; head: number; holdMs: number },
): Promise<TrickleResult> {
  const raws = await openAll(transport, port, n);
  let sent = 0;
  let dropped = 0;
  let maxDropMs = 0;
  await Promise.all(
    raws.map(async (r) => {
      const t0 = Date.now();
      let gone = false;
      void r.closed.then(() => {
        gone = true;
      });
      await writeFlushed(r, messageHeader(transport, declared));
      const chunk = new Uint8Array(64 * 1024).fill(0x41);
      for (let b = 0; b < head && !gone; b += chunk.length) {
        if (await writeFlushed(r, chunk.subarray(0, Math.min(chunk.length, head - b)))) sent += chunk.length;
      }
      while (!gone && Date.now() - t0 < holdMs) {
        r.socket.write(new Uint8Array(4).fill(0x42));
        sent += 4;
        await Promise.race([delay(100), r.closed]);
      }
      if (gone) {
        dropped++;
        maxDropMs = Math.max(maxDropMs, Date.now() - t0);
      }
      r.destroy();
    }),
  );
  return { connections: n, declaredBytes: n * declared, sentBytes: sent, dropped, maxDropMs };
}

export interface NonReaderResult {
  connections: number;
  requests: number;
  bytesQueued: number;
  dropped: number;
}

/**
 * `n` clients that never read: each writes `count` requests (each `message`, zeromq with the
 * routing `envelope`) and keeps its socket paused for `holdMs`.
 */
export async function nonReaders(
  transport: Transport,
  port: number,
  {
    n,
    count,
    message,
    envelope,
    holdMs,
  }: { n: number; count: number; message: unknown; envelope?: Uint8Array[]; holdMs: number },
): Promise<NonReaderResult> {
  const raws = await openAll(transport, port, n);
  let bytes = 0;
  let dropped = 0;
  await Promise.all(
    raws.map(async (r) => {
      r.socket.pause();
      r.socket.removeAllListeners('data');
      const one = request(transport, message, envelope);
      let gone = false;
      void r.closed.then(() => (gone = true));
      for (let i = 0; i < count && !gone; i++) {
        // Writes without waiting: what the kernel does not take stays in this process, not the master.
        r.socket.write(one);
        bytes += one.length;
        if (i % 256 === 0) await delay(0);
      }
      await Promise.race([delay(holdMs), r.closed]);
      if (gone) dropped++;
      r.destroy();
    }),
  );
  return { connections: n, requests: n * count, bytesQueued: bytes, dropped };
}

export interface ConnectionFloodResult {
  attempted: number;
  /** Closed by the server within the flood. */
  refused: number;
  /** Still open when the flood ended. */
  heldOpen: number;
}

/**
 * Opens `n` connections (tcp level; ws ones also upgrade when `upgrade`), each sending one byte of
 * a message header every 500 ms (slowloris), for `holdMs`; `during` runs meanwhile.
 */
export async function connectionFlood(
  transport: Transport,
  port: number,
  { n, holdMs }: { n: number; holdMs: number },
  during: () => Promise<void>,
): Promise<ConnectionFloodResult> {
  const raws: RawConnection[] = [];
  let refused = 0;
  const opening = (async () => {
    for (let i = 0; i < n; i++) {
      try {
        const r = await rawOpen(transport === 'ws' ? 'tcp' : transport, port);
        // ws: an HTTP upgrade that never ends (one more header byte per drip).
        if (transport === 'ws') r.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
        raws.push(r);
        void r.closed.then(() => refused++);
      } catch {
        refused++;
      }
    }
  })();
  const drop = transport === 'ws' ? new Uint8Array([0x61]) : messageHeader(transport, 1024).subarray(0, 1);
  const drip = setInterval(() => {
    for (const r of raws) if (!r.socket.destroyed) r.socket.write(drop);
  }, 500);
  const t0 = Date.now();
  await opening;
  await during();
  await delay(Math.max(0, holdMs - (Date.now() - t0)));
  clearInterval(drip);
  const heldOpen = raws.filter((r) => !r.socket.destroyed).length;
  for (const r of raws) r.destroy();
  return { attempted: n, refused, heldOpen };
}
