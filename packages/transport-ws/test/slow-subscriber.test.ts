/**
 * The slow-subscriber policy. Bounds stated here: with `maxBufferedAmount` 256 KiB, `drainTimeout`
 * 250 ms and 2,000 publishes of 16 KiB (32 MiB, far beyond what the kernel buffers on loopback),
 * three fast subscribers get all 2,000 in order while one subscriber never reads; the server buffers
 * at most `maxBufferedAmount` + one frame for the stalled one; publishing waits for it about one
 * `drainTimeout` in total (not one per message); the stalled one is cut off with
 * `ERR_SLOW_SUBSCRIBER` ('disconnect') or misses messages with `drop` events ('drop') and catches
 * up once it reads again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrineError, Closable, PeerInfo, PublishClient, SlowSubscriberPolicy } from '@brine/contracts';
import { wsTransport } from '../src/index.js';
import { FAST_RECONNECT, LOOPBACK } from './helpers.js';

const N = 2_000;
const SIZE = 16 * 1024;
const MAX_BUFFERED = 256 * 1024;
const DRAIN_TIMEOUT = 250;

const opened: Closable[] = [];
function track<T extends Closable>(x: T): T {
  opened.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

function payload(i: number): Uint8Array {
  const b = new Uint8Array(SIZE);
  new DataView(b.buffer).setUint32(0, i);
  b[4] = 0xff;
  return b;
}
const seqOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);

async function readN(client: PublishClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for await (const m of client) {
    out.push(seqOf(m));
    if (out.length >= n) break;
  }
  return out;
}

async function setup(policy: SlowSubscriberPolicy) {
  const t = wsTransport({ reconnect: FAST_RECONNECT });
  const server = track(
    t.publishServer({ maxBufferedAmount: MAX_BUFFERED, drainTimeout: DRAIN_TIMEOUT, slowSubscriber: policy }),
  );
  const address = await server.listen(LOOPBACK, { presence: (m) => (m as { id: string }).id });
  const identified = new Map<string, PeerInfo>();
  server.events.on('presence', (peer, id) => identified.set(id, peer));
  const fast = [];
  for (let i = 0; i < 3; i++) {
    const c = track(t.publishClient());
    await c.connect(address, { timeout: 5000, presence: async () => ({ id: `fast-${i}` }) });
    fast.push(c);
  }
  // Never iterated: its queue (8 messages) fills, it stops reading, TCP fills, the server buffers.
  // A long reconnect delay keeps it away once cut off.
  const slow = track(t.publishClient({ highWaterMark: 8, reconnect: { reconDefault: 60_000, reconRandomize: false } }));
  await slow.connect(address, { timeout: 5000, presence: async () => ({ id: 'slow' }) });
  while (identified.size < 4) await server.events.once('presence', { signal: AbortSignal.timeout(5000) });
  return { server, fast, slow, slowPeer: identified.get('slow')! };
}

/**
 * Publishes N messages. Returns the longest single publish(), the total time spent in publishes that
 * had to wait for the slow subscriber (it had a backlog right after the message was offered: the
 * offers run synchronously inside publish()), and the most bytes ever buffered for it.
 */
async function publishAll(server: Awaited<ReturnType<typeof setup>>['server'], slowId: string) {
  let longest = 0;
  let waitedOnSlow = 0;
  let maxBuffered = 0;
  const slowStats = () => server.stats().find((x) => x.minionId === slowId);
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const publishing = server.publish(payload(i));
    const slowWaits = (slowStats()?.queued ?? 0) > 0;
    await publishing;
    const took = performance.now() - t0;
    longest = Math.max(longest, took);
    if (slowWaits) waitedOnSlow += took;
    const s = slowStats();
    if (s) maxBuffered = Math.max(maxBuffered, s.maxBufferedAmount, s.bufferedAmount);
  }
  return { longest, waitedOnSlow, maxBuffered };
}

/** Generous slack for loaded CI machines; the point is "about one drainTimeout", not "N of them". */
const SLACK = 2000;
const FRAME = SIZE + 5; // bin32 header

describe('slow subscriber', () => {
  it("'disconnect': the stalled subscriber is cut off, the others get everything, memory stays bounded", async () => {
    const { server, fast, slowPeer } = await setup('disconnect');
    const errors: Array<[BrineError, PeerInfo | undefined]> = [];
    server.events.on('error', (e, p) => errors.push([e, p]));
    const cutOff = server.events.once('disconnect', { filter: (p) => p.id === slowPeer.id });
    const reading = fast.map((c) => readN(c, N));

    const { longest, waitedOnSlow, maxBuffered } = await publishAll(server, 'slow');
    const results = await Promise.all(reading);

    for (const r of results) expect(r).toEqual(Array.from({ length: N }, (_, i) => i));
    const [, error] = await cutOff;
    expect(error?.code).toBe('ERR_SLOW_SUBSCRIBER');
    const slowErrors = errors.filter(([, p]) => p?.id === slowPeer.id);
    expect(slowErrors.map(([e]) => e.code)).toEqual(['ERR_SLOW_SUBSCRIBER']);
    expect((slowErrors[0]![0].details as { bufferedAmount: number }).bufferedAmount).toBeLessThanOrEqual(
      MAX_BUFFERED + FRAME,
    );
    expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + FRAME);
    expect(waitedOnSlow).toBeGreaterThanOrEqual(DRAIN_TIMEOUT * 0.9);
    expect(waitedOnSlow).toBeLessThan(DRAIN_TIMEOUT + SLACK);
    expect(longest).toBeLessThan(DRAIN_TIMEOUT + SLACK);
    expect(server.subscriberCount).toBe(3);
  });

  it("'drop': the stalled subscriber misses messages (drop events), the others get everything, it catches up later", async () => {
    const { server, fast, slow, slowPeer } = await setup('drop');
    let dropped = 0;
    server.events.on('drop', (p, n) => {
      if (p?.id === slowPeer.id) dropped += n;
    });
    const errors: BrineError[] = [];
    server.events.on('error', (e) => errors.push(e));
    const reading = fast.map((c) => readN(c, N));

    const { longest, waitedOnSlow, maxBuffered } = await publishAll(server, 'slow');
    const results = await Promise.all(reading);

    for (const r of results) expect(r).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(errors).toEqual([]);
    expect(dropped).toBeGreaterThan(N / 2);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + FRAME);
    expect(waitedOnSlow).toBeGreaterThanOrEqual(DRAIN_TIMEOUT * 0.9);
    expect(waitedOnSlow).toBeLessThan(DRAIN_TIMEOUT + SLACK);
    expect(longest).toBeLessThan(DRAIN_TIMEOUT + SLACK);
    expect(server.subscriberCount).toBe(4);

    // It reads again: what was buffered arrives (in order, with a gap), then new publishes reach it.
    const it = slow[Symbol.asyncIterator]();
    const seen: number[] = [];
    const MARK = 1_000_000;
    let received = 0;
    while (seen.at(-1) !== MARK) {
      await server.publish(payload(MARK));
      const next = await it.next();
      seen.push(seqOf(next.value as Uint8Array));
      received++;
    }
    expect(received).toBeLessThan(N);
    const before = seen.filter((s) => s !== MARK);
    expect(before).toEqual([...before].sort((a, b) => a - b));
    expect(before.length + dropped).toBeGreaterThanOrEqual(N);
    expect(server.stats().find((s) => s.minionId === 'slow')?.lagging).toBe(false);
  });
});
