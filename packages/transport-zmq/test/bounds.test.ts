/**
 * The request server's bounds on ZeroMQ, where libzmq owns the connections and partial frames:
 * what the server holds per routing id (requests in flight and waiting, replies queued, the echoed
 * envelope) and the pre-authentication size limit, measured with raw DEALER peers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import {
  createMemoryLogger,
  dumps,
  ErrorCodes,
  loads,
  type BrineError,
  type Closable,
  type RequestContext,
  type TransportOptions,
} from '@brine/contracts';
import { zmqTransport } from '../src/index.js';
import { endpointOf, LOOPBACK } from './helpers.js';

const opened: Array<Closable | { close(): void }> = [];
const track = <T extends Closable | { close(): void }>(x: T): T => {
  opened.push(x);
  return x;
};
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const EMPTY = Buffer.alloc(0);
const KiB = 1024;

async function until(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function setup(options: TransportOptions, handler?: (msg: unknown, ctx: RequestContext) => unknown) {
  const { logger, records } = createMemoryLogger('debug');
  const server = track(zmqTransport({ ...options, logger }).requestServer());
  const errors: BrineError[] = [];
  server.events.on('error', (e) => errors.push(e));
  const address = await server.listen(
    LOOPBACK,
    handler ??
      ((msg, ctx) => {
        if ((msg as { login?: boolean })?.login === true) ctx.authenticate?.();
        return { echo: msg };
      }),
  );
  const legit = track(zmqTransport().requestClient());
  await legit.connect(address, { timeout: 10_000 });
  expect(await legit.request({ login: true }, { timeout: 5000 })).toEqual({ echo: { login: true } });
  const dealer = (receiveHighWaterMark = 1000) => {
    const d = track(new Dealer({ linger: 0, receiveHighWaterMark }));
    d.connect(endpointOf(address));
    return d;
  };
  return { server, address, errors, records, legit, dealer };
}

describe('zeromq request server bounds', () => {
  it('refuses a 1 MB routing envelope instead of echoing it', async () => {
    const { server, errors, legit, dealer } = await setup({});
    const d = dealer();
    await d.send([Buffer.alloc(1024 * 1024, 1), EMPTY, Buffer.from(dumps({ big: 'envelope' }))]);
    await until(() => errors.some((e) => e.code === ErrorCodes.BAD_FRAME), 'the refusal');
    expect(server.stats!().refused[ErrorCodes.BAD_FRAME]).toBe(1);
    expect(await legit.request({ still: 1 }, { timeout: 5000 })).toEqual({ echo: { still: 1 } });
  });

  it('refuses an unauthenticated request over authMaxMessageSize and takes it once authenticated', async () => {
    const { server, dealer } = await setup({ authMaxMessageSize: 16 * KiB });
    const d = dealer();
    const big = { blob: new Uint8Array(100 * KiB) };
    await d.send([EMPTY, Buffer.from(dumps(big))]);
    const refused = await d.receive();
    expect(loads(new Uint8Array(refused[1]!))).toEqual({ msg: 'bad load' });
    expect(server.stats!().refused[ErrorCodes.MESSAGE_TOO_LARGE]).toBe(1);
    await d.send([EMPTY, Buffer.from(dumps({ login: true }))]);
    await d.receive();
    await d.send([EMPTY, Buffer.from(dumps(big))]);
    const answered = loads(new Uint8Array((await d.receive())[1]!)) as { echo: { blob: Uint8Array } };
    expect(answered.echo.blob.length).toBe(100 * KiB);
  });

  it('handles at most maxRequestsInFlight of one peer, holds as many more, refuses the rest', async () => {
    const limit = 8;
    let calls = 0;
    const { server, dealer, legit } = await setup({ maxRequestsInFlight: limit }, (msg, ctx) => {
      if ((msg as { login?: boolean })?.login === true) ctx.authenticate?.();
      if ((msg as { hold?: boolean })?.hold !== true) return { echo: msg };
      calls++;
      return new Promise(() => {});
    });
    const d = dealer();
    for (let i = 0; i < 50; i++) await d.send([Buffer.from([0, 0, 0, i]), EMPTY, Buffer.from(dumps({ hold: true }))]);
    await until(() => (server.stats!().refused[ErrorCodes.QUEUE_FULL] ?? 0) >= 50 - 2 * limit, 'the refusals');
    expect(await legit.request({ probe: 1 }, { timeout: 5000 })).toEqual({ echo: { probe: 1 } });
    const stats = server.stats!();
    expect(calls).toBe(limit);
    expect(stats.inFlight).toBe(limit);
    expect(stats.refused[ErrorCodes.QUEUE_FULL]).toBe(50 - 2 * limit);
    expect(stats.inboundBytes).toBeGreaterThan(0); // the held ones are claimed against the budget
  });

  const holding = (msg: unknown, ctx: RequestContext): unknown => {
    if ((msg as { login?: boolean })?.login === true) ctx.authenticate?.();
    if ((msg as { hold?: unknown })?.hold === undefined) return { echo: msg };
    return new Promise(() => {});
  };

  it('claims every request received and not yet answered against inboundBudget, all peers', async () => {
    const { server, dealer, legit } = await setup({ inboundBudget: 10 * KiB }, holding);
    const a = dealer();
    const b = dealer();
    const held = Buffer.from(dumps({ hold: new Uint8Array(4 * KiB) }));
    await a.send([EMPTY, held]);
    await b.send([EMPTY, held]);
    await until(() => server.stats!().inFlight === 2, 'two held requests');
    expect(server.stats!().inboundBytes).toBeGreaterThan(8 * KiB);
    await a.send([EMPTY, held]); // a third 4 KiB does not fit 10 KiB
    await until(() => (server.stats!().refused[ErrorCodes.OVER_BUDGET] ?? 0) === 1, 'the refusal');
    expect(server.stats!().inFlight).toBe(2);
    expect(await legit.request({ probe: 1 }, { timeout: 5000 })).toEqual({ echo: { probe: 1 } });
    // Answered requests give their claim back.
    expect(server.stats!().inboundBytes).toBeLessThan(9 * KiB);
  });

  it('gives no state to more than maxUnauthenticatedConnections routing ids that never authenticated', async () => {
    const { server, dealer, legit } = await setup({ maxUnauthenticatedConnections: 2 }, holding);
    const peers = [dealer(), dealer(), dealer()];
    for (const d of peers) await d.send([EMPTY, Buffer.from(dumps({ hold: 1 }))]);
    await until(() => (server.stats!().refused[ErrorCodes.TOO_MANY_CONNECTIONS] ?? 0) === 1, 'the refusal');
    expect(server.stats!().unauthenticated).toBe(2);
    expect(server.stats!().inFlight).toBe(2);
    // The authenticated peer is still served.
    expect(await legit.request({ probe: 2 }, { timeout: 5000 })).toEqual({ echo: { probe: 2 } });
  });

  it('over maxConnections (socket monitor count), serves authenticated routing ids only', async () => {
    const { server, dealer, legit } = await setup({ maxConnections: 2 });
    const peers = [dealer(), dealer()];
    await until(() => server.stats!().connections >= 3, 'three connections');
    await peers[0]!.send([EMPTY, Buffer.from(dumps({ hello: 1 }))]);
    await until(() => (server.stats!().refused[ErrorCodes.TOO_MANY_CONNECTIONS] ?? 0) === 1, 'the refusal');
    expect(await legit.request({ probe: 3 }, { timeout: 5000 })).toEqual({ echo: { probe: 3 } });
    // Below the cap again, a new peer is served.
    peers[0]!.close();
    peers[1]!.close();
    await until(() => server.stats!().connections <= 2, 'the disconnects');
    const late = dealer();
    await late.send([EMPTY, Buffer.from(dumps({ late: 1 }))]);
    expect(loads(new Uint8Array((await late.receive())[1]!))).toEqual({ echo: { late: 1 } });
  });

  it('holds replies to a peer that never reads them within SNDHWM, drops them after drainTimeout, answers the others', async () => {
    const reply = new Uint8Array(64 * KiB).fill(3);
    const limit = 16;
    const { server, dealer, legit, records } = await setup(
      { maxRequestsInFlight: limit, drainTimeout: 300 },
      (msg, ctx) => {
        if ((msg as { login?: boolean })?.login === true) {
          ctx.authenticate?.();
          return { echo: msg };
        }
        return { reply };
      },
    );
    const d = dealer(1); // reads nothing: libzmq stops reading its TCP socket after one message
    const sent = 400;
    for (let i = 0; i < sent; i++) await d.send([EMPTY, Buffer.from(dumps({ i }))]);
    const latencies: number[] = [];
    let peakInFlight = 0;
    while ((server.stats!().refused[ErrorCodes.SLOW_READER] ?? 0) === 0) {
      const t0 = performance.now();
      await legit.request({ ping: 1 }, { timeout: 5000 });
      latencies.push(performance.now() - t0);
      peakInFlight = Math.max(peakInFlight, server.stats!().inFlight);
    }
    const stats = server.stats!();
    // Requests beyond what is in flight and waiting were refused, not queued without end.
    expect(stats.refused[ErrorCodes.QUEUE_FULL]).toBeGreaterThan(0);
    expect(peakInFlight).toBeLessThanOrEqual(limit + 1);
    const lines = records.filter((r) => (r.error as BrineError | undefined)?.code === ErrorCodes.SLOW_READER);
    expect(lines.length).toBe(1); // rate-limited
    expect(Math.max(...latencies)).toBeLessThan(1000);
    if (process.env.BRINE_BOUNDS_FIGURES) {
      console.log(
        `[bounds] zmq non-reader: ${sent} requests sent, ${stats.refused[ErrorCodes.QUEUE_FULL]} refused (queue full), peak in flight ${peakInFlight}, legit ${latencies.length} answered meanwhile, max ${Math.max(...latencies).toFixed(1)} ms`,
      );
    }
  }, 60_000);
});
