/**
 * The bounds cases of the transport suite: what one peer can make a request server hold. Each
 * measures the bound (server-side counters from `RequestServer.stats()`, bytes sent, elapsed time)
 * and checks that a legitimate, authenticated client on the same server keeps being answered.
 * Registered only for a transport whose spec says how to speak its wire from a raw socket.
 */
import { describe, expect, it } from 'vitest';
import {
  createMemoryLogger,
  defer,
  ErrorCodes,
  StateError,
  TimeoutError,
  TransportError,
  type Address,
  type BrineError,
  type Closable,
  type RequestContext,
  type RequestServer,
  type RequestServerStats,
  type TransportFactory,
  type TransportOptions,
} from '@brine/contracts';
import { rawConnect, type RawConnection } from './raw.js';

/** How the bounds cases speak a transport's wire from a raw TCP socket. */
export interface RawWire {
  /** Run right after the TCP connect, before any message (ws: the HTTP upgrade). */
  open?: (raw: RawConnection) => Promise<void>;
  /** The first bytes of one message whose declared length is `length` bytes (payload left to the caller). */
  messageHeader(length: number): Uint8Array;
  /** One complete request carrying `message`, as a client sends it. */
  request(message: unknown): Uint8Array;
}

export interface BoundsContext {
  make(extra?: TransportOptions): TransportFactory;
  track<T extends Closable>(x: T): T;
  listenAt(): Address;
  wire: RawWire;
}

const KiB = 1024;

/** With BRINE_BOUNDS_FIGURES=1 each case prints what it measured (for reports). */
function figure(line: string): void {
  if (process.env.BRINE_BOUNDS_FIGURES) console.log(`[bounds] ${line}`);
}
const MiB = 1024 * KiB;

/** Echo handler that authenticates the connection when a request says `{login: true}`. */
const echo = (msg: unknown, context: RequestContext): unknown => {
  if ((msg as { login?: unknown } | null)?.login === true) context.authenticate?.();
  return { echo: msg };
};

function statsOf(server: RequestServer): RequestServerStats {
  if (!server.stats) throw new StateError(ErrorCodes.INVALID_STATE, 'the bounds cases need RequestServer.stats()');
  return server.stats();
}

/** Waits for a condition the server changes asynchronously (no event exists for it), checking every few ms. */
async function until(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new TimeoutError(ErrorCodes.TIMEOUT, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function registerBoundsCases(ctx: BoundsContext): void {
  const { make, track, listenAt, wire } = ctx;

  async function serverWith(extra: TransportOptions, handler = echo) {
    const { logger, records } = createMemoryLogger('debug');
    const server = track(make({ ...extra, logger }).requestServer());
    const errors: BrineError[] = [];
    server.events.on('error', (e) => errors.push(e));
    const address = await server.listen(listenAt(), handler);
    const legit = track(make().requestClient());
    await legit.connect(address, { timeout: 10_000 });
    expect(await legit.request({ login: true }, { timeout: 5000 })).toEqual({ echo: { login: true } });
    return { server, address, errors, records, legit };
  }

  async function raw(address: Address): Promise<RawConnection> {
    const r = await rawConnect(address);
    await wire.open?.(r);
    return r;
  }

  const codes = (errors: BrineError[]): string[] => errors.map((e) => e.code);

  describe('bounds', () => {
    it('refuses an unauthenticated 60 MB frame at its header (authMaxMessageSize 16 KiB) on 4 sockets at once', async () => {
      const { server, address, errors, legit } = await serverWith({});
      const N = 4;
      const declared = 60 * 1000 * 1000;
      const sent: number[] = [];
      await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const r = await raw(address);
          let gone = false;
          void r.closed.then(() => (gone = true));
          r.write(wire.messageHeader(declared));
          const chunk = new Uint8Array(MiB).fill(0x41);
          let bytes = 0;
          // Up to 48 MB of it, until the server hangs up.
          while (!gone && !r.socket.destroyed && bytes < 48 * 1000 * 1000) {
            const flushed = defer<void>();
            r.socket.write(chunk, () => flushed.resolve());
            bytes += chunk.length;
            await Promise.race([flushed.promise, r.closed]);
          }
          await r.closed;
          sent[i] = bytes;
        }),
      );
      const stats = statsOf(server);
      expect(codes(errors).filter((c) => c === ErrorCodes.MESSAGE_TOO_LARGE).length).toBe(N);
      expect(stats.refused[ErrorCodes.MESSAGE_TOO_LARGE]).toBe(N);
      // Nothing of those frames was ever claimed beyond the pre-authentication limit.
      expect(stats.peakInboundBytes).toBeLessThanOrEqual(N * 16 * KiB);
      expect(sent.length).toBe(N);
      // The server read at most one socket read (64 KiB) of each, handshake included, before the cut.
      const bytesRead = errors
        .filter((e) => e.code === ErrorCodes.MESSAGE_TOO_LARGE)
        .map((e) => e.details?.bytesRead)
        .filter((b): b is number => typeof b === 'number');
      if (bytesRead.length > 0) expect(Math.max(...bytesRead)).toBeLessThanOrEqual(64 * KiB + 1024);
      figure(
        `60 MB frames ×${N}: refused ${stats.refused[ErrorCodes.MESSAGE_TOO_LARGE]}, peak claimed ${stats.peakInboundBytes} B, server bytes read before the cut ${bytesRead.join('/')}, client bytes accepted by its kernel ${sent.join('/')}`,
      );
      expect(await legit.request({ still: 1 }, { timeout: 5000 })).toEqual({ echo: { still: 1 } });
      await until(() => statsOf(server).connections === 1, 'the refused connections to close');
    }, 60_000);

    it('raises the limit to maxMessageSize once the handler authenticates the connection', async () => {
      const { server, address, legit, errors } = await serverWith({});
      const big = new Uint8Array(MiB).fill(7);
      const reply = (await legit.request({ big }, { timeout: 10_000 })) as { echo: { big: Uint8Array } };
      expect(reply.echo.big.length).toBe(MiB);
      const stranger = track(make().requestClient());
      await stranger.connect(address, { timeout: 10_000 });
      const outcome = await stranger.request({ big }, { timeout: 3000 }).then(
        () => 'answered',
        (e: BrineError) => e.code,
      );
      expect(outcome).not.toBe('answered');
      expect(codes(errors)).toContain(ErrorCodes.MESSAGE_TOO_LARGE);
      expect(statsOf(server).refused[ErrorCodes.MESSAGE_TOO_LARGE]).toBe(1);
    });

    it('drops a peer that does not finish a message within messageDeadline, however it trickles', async () => {
      const deadline = 300;
      const { address, errors, legit } = await serverWith({ messageDeadline: deadline, idleTimeout: 10_000 });
      const r = await raw(address);
      const started = Date.now();
      r.write(wire.messageHeader(4 * KiB));
      let trickled = 0;
      const timer = setInterval(() => {
        r.socket.write(new Uint8Array(4).fill(0x42));
        trickled += 4;
      }, 20);
      await r.closed;
      clearInterval(timer);
      const elapsed = Date.now() - started;
      expect(codes(errors)).toContain(ErrorCodes.MESSAGE_DEADLINE);
      expect(trickled).toBeGreaterThan(0); // it was never idle
      expect(elapsed).toBeGreaterThanOrEqual(deadline - 20);
      expect(elapsed).toBeLessThan(deadline + 2000);
      figure(`deadline ${deadline} ms: dropped after ${elapsed} ms, ${trickled} bytes trickled`);
      expect(await legit.request({ after: 1 }, { timeout: 5000 })).toEqual({ echo: { after: 1 } });
    });

    it('drops a connection that stays unauthenticated past unauthenticatedTimeout, not an authenticated one', async () => {
      const { server, address, errors, legit } = await serverWith({ unauthenticatedTimeout: 300 });
      let legitDrops = 0;
      legit.events.on('disconnect', () => legitDrops++);
      const r = await raw(address);
      r.write(wire.request({ hello: 1 })); // a valid request, answered, but never a login
      const started = Date.now();
      await r.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(codes(errors)).toContain(ErrorCodes.UNAUTHENTICATED_TIMEOUT);
      expect(await legit.request({ after: 1 }, { timeout: 5000 })).toEqual({ echo: { after: 1 } });
      expect(legitDrops).toBe(0);
      expect(statsOf(server).unauthenticated).toBe(0);
    });

    it('context.drop() closes the connection after its reply; nothing more from it is handled', async () => {
      const seen: unknown[] = [];
      let canDrop = false;
      const { address, errors, legit } = await serverWith({}, (msg, context) => {
        seen.push(msg);
        if ((msg as { drop?: unknown } | null)?.drop !== true) return echo(msg, context);
        canDrop = context.drop !== undefined;
        context.drop?.(new TransportError(ErrorCodes.TOO_MANY_REFUSALS, 'refused too often (test)'));
        return 'bye';
      });
      const r = await raw(address);
      let received = 0;
      r.socket.on('data', (chunk: Buffer) => (received += chunk.length));
      // A request sent after the drop is never handled, though the connection is still open then.
      r.write(wire.request({ drop: true }));
      await until(() => seen.length >= 2, 'the drop request to be handled');
      r.write(wire.request({ after: 1 }));
      if (!canDrop) {
        r.destroy();
        return; // this transport cannot close one peer (ZeroMQ): nothing to check
      }
      await r.closed;
      expect(received).toBeGreaterThan(0); // the reply to the dropping request went out first
      expect(seen.filter((m) => (m as { after?: unknown } | null)?.after === 1)).toEqual([]);
      expect(codes(errors)).toContain(ErrorCodes.TOO_MANY_REFUSALS);
      expect(await legit.request({ still: 1 }, { timeout: 5000 })).toEqual({ echo: { still: 1 } });
    });

    it('keeps partial messages within inboundBudget across connections and refuses the one over it', async () => {
      const budget = 64 * KiB;
      const { server, address, errors, legit } = await serverWith({
        inboundBudget: budget,
        authMaxMessageSize: 0,
        maxMessageSize: MiB,
      });
      const raws: RawConnection[] = [];
      let refused = 0;
      for (let i = 0; i < 6; i++) {
        const r = await raw(address);
        raws.push(r);
        let gone = false;
        void r.closed.then(() => (gone = true));
        const before = statsOf(server).inboundBytes;
        r.write(wire.messageHeader(20 * KiB));
        r.write(new Uint8Array(KiB));
        await until(() => gone || statsOf(server).inboundBytes > before, 'the server to claim or refuse');
        if (gone) refused++;
      }
      const stats = statsOf(server);
      expect(refused).toBe(3); // 3 × 20 KiB fit in 64 KiB, the 4th, 5th and 6th do not
      expect(stats.refused[ErrorCodes.OVER_BUDGET]).toBe(3);
      expect(codes(errors)).toContain(ErrorCodes.OVER_BUDGET);
      expect(stats.peakInboundBytes).toBeLessThanOrEqual(budget);
      figure(`budget ${budget} B: peak claimed ${stats.peakInboundBytes} B, refused ${refused} of 6 connections`);
      expect(await legit.request({ small: 1 }, { timeout: 5000 })).toEqual({ echo: { small: 1 } });
      for (const r of raws) r.destroy();
      await until(() => statsOf(server).inboundBytes === 0, 'the claims to be released');
    });

    it('stops reading from a client that never reads its replies, drops it after drainTimeout, answers the others', async () => {
      const bound = 256 * KiB;
      const inFlight = 4;
      const reply = new Uint8Array(64 * KiB).fill(9);
      const { server, address, errors, legit } = await serverWith(
        { maxOutboundBuffer: bound, maxRequestsInFlight: inFlight, drainTimeout: 1000 },
        (msg, context) => ((msg as { login?: unknown })?.login === true ? echo(msg, context) : { reply }),
      );
      const dropped = defer<BrineError | undefined>();
      server.events.on('disconnect', (_peer, error) => {
        if (error?.code === ErrorCodes.SLOW_READER) dropped.resolve(error);
      });
      const r = await raw(address);
      r.socket.pause(); // never reads (and so never sees the server hang up)
      r.socket.removeAllListeners('data');
      const requests = 400; // 400 × 64 KiB of replies: far beyond what loopback buffers hold
      for (let i = 0; i < requests; i++) r.write(wire.request({ i }));
      let answeredDuring = 0;
      let isDropped = false;
      void dropped.promise.then(() => (isDropped = true));
      const latencies: number[] = [];
      const legitLoop = (async () => {
        while (!isDropped && answeredDuring < 100_000) {
          const t0 = performance.now();
          await legit.request({ ping: answeredDuring }, { timeout: 5000 });
          latencies.push(performance.now() - t0);
          answeredDuring++;
        }
      })();
      await dropped.promise;
      await legitLoop;
      r.destroy();
      const stats = statsOf(server);
      expect(codes(errors)).toContain(ErrorCodes.SLOW_READER);
      // Unwritten replies stayed within the bound plus what was in flight when reading stopped.
      expect(stats.peakOutboundBytes).toBeLessThanOrEqual(bound + (inFlight + 1) * (reply.length + 64));
      expect(answeredDuring).toBeGreaterThan(0);
      latencies.sort((x, y) => x - y);
      const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
      expect(p99).toBeLessThan(1000);
      figure(
        `non-reader: bound ${bound} B, peak unwritten ${stats.peakOutboundBytes} B; legit answered ${answeredDuring}× meanwhile, p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms p99 ${p99.toFixed(1)} ms`,
      );
      await until(() => statsOf(server).outboundBytes < 1 * MiB, 'the dropped connection to be released');
    }, 30_000);

    it('handles at most maxRequestsInFlight requests of one peer at once', async () => {
      const limit = 8;
      const waiting: Array<() => void> = [];
      let calls = 0;
      const { server, address } = await serverWith({ maxRequestsInFlight: limit, authMaxMessageSize: 0 }, (msg) => {
        if ((msg as { hold?: boolean })?.hold !== true) return { echo: msg };
        calls++;
        return new Promise((resolve) => waiting.push(() => resolve('done')));
      });
      const client = track(make().requestClient());
      await client.connect(address, { timeout: 10_000 });
      const all = Promise.all(Array.from({ length: 50 }, () => client.request({ hold: true }, { timeout: 20_000 })));
      await until(() => calls >= limit, 'the handler to fill up');
      // A round trip on another connection proves the server has been reading meanwhile.
      const other = track(make().requestClient());
      await other.connect(address, { timeout: 10_000 });
      expect(await other.request({ probe: 1 }, { timeout: 5000 })).toEqual({ echo: { probe: 1 } });
      expect(calls).toBe(limit);
      expect(statsOf(server).inFlight).toBe(limit);
      const release = (): void => {
        while (waiting.length > 0) waiting.shift()!();
      };
      const releaser = setInterval(release, 5);
      const replies = await all;
      clearInterval(releaser);
      expect(replies.length).toBe(50);
      expect(calls).toBe(50);
    });

    it('takes only a small presence message from a subscriber: a big one is refused, a trickled one expires', async () => {
      const server = track(make({ messageDeadline: 300, idleTimeout: 10_000 }).publishServer());
      const errors: BrineError[] = [];
      server.events.on('error', (e) => errors.push(e));
      const address = await server.listen(listenAt());
      const big = await raw(address);
      big.write(wire.messageHeader(60 * 1000 * 1000));
      big.write(new Uint8Array(64 * KiB));
      await big.closed;
      expect(codes(errors)).toContain(ErrorCodes.MESSAGE_TOO_LARGE);
      const slow = await raw(address);
      const started = Date.now();
      slow.write(wire.messageHeader(4 * KiB));
      const timer = setInterval(() => slow.socket.write(new Uint8Array(4)), 20);
      await slow.closed;
      clearInterval(timer);
      expect(codes(errors)).toContain(ErrorCodes.MESSAGE_DEADLINE);
      expect(Date.now() - started).toBeLessThan(2300);
      // A real subscriber still gets publishes.
      const sub = track(make().publishClient());
      await sub.connect(address, { timeout: 10_000, identity: 'after' });
      while (server.subscriberCount < 1)
        await server.events.once('connection', { signal: AbortSignal.timeout(10_000) });
      const got = (async () => {
        for await (const m of sub) return m;
        return undefined;
      })();
      await server.publish(new Uint8Array([7, 0xff]));
      expect(Array.from((await got) ?? [])).toEqual([7, 0xff]);
    });

    it('closes connections over maxConnections and maxUnauthenticatedConnections at once, counted and logged once', async () => {
      const { server, address, records } = await serverWith({ maxConnections: 4, maxUnauthenticatedConnections: 2 });
      // `legit` holds one authenticated connection.
      const second = track(make().requestClient());
      await second.connect(address, { timeout: 10_000 });
      await second.request({ login: true }, { timeout: 5000 });
      const a = await rawConnect(address);
      const b = await rawConnect(address);
      await until(() => statsOf(server).unauthenticated === 2, 'two unauthenticated connections');
      const c = await rawConnect(address); // third unauthenticated: refused
      await c.closed;
      a.destroy();
      await until(() => statsOf(server).connections === 3, 'a slot to free');
      const d = await rawConnect(address);
      await until(() => statsOf(server).connections === 4, 'the fourth connection');
      const e = await rawConnect(address); // fifth connection: refused
      await e.closed;
      const stats = statsOf(server);
      expect(stats.refused[ErrorCodes.TOO_MANY_CONNECTIONS]).toBe(2);
      expect(stats.connections).toBe(4);
      const lines = records.filter(
        (r) => (r.error as BrineError | undefined)?.code === ErrorCodes.TOO_MANY_CONNECTIONS,
      );
      expect(lines.length).toBe(1); // rate-limited
      b.destroy();
      d.destroy();
      expect(await second.request({ still: 1 }, { timeout: 5000 })).toEqual({ echo: { still: 1 } });
    });
  });
}
