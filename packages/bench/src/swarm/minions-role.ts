/**
 * One process of a swarm: `count` full Brine minions (AsyncAuth sign-in with their own RSA key,
 * publish subscription, `test.ping`), started all at once. Each publish frame the transport hands a
 * minion is counted below the targeting check, so a publish that reached a minion it does not
 * target shows.
 */
import { silentLogger, type PublishClient, type TransportFactory } from '@brine/contracts';
import { MemoryKeyStore, createMinion, type Dict, type Minion } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import type { Role } from '../children/protocol.js';
import { raiseZmqSocketLimit } from '../raw/libs.js';
import { cpuBetween, cpuSnapshot, type CpuUse } from '../cpu.js';
import type { TransportName } from '../results.js';
import { seedKeyPair, type PemPair } from '../suites.js';
import { LOOPBACK, transportFactory } from '../transports.js';
import { wallMs } from './clock.js';

export interface SwarmMinionsSpec {
  transport: TransportName;
  retPort: number;
  publishPort: number;
  ids: string[];
  /** One pair per id (or fewer: shared round-robin). */
  pems: PemPair[];
  /** Minion options over the swarm's (Salt names). */
  config?: Record<string, unknown>;
}

export interface StartResult {
  started: number;
  failed: number;
  firstError?: string;
  /** Wall-clock ms at which each started minion was signed in and subscribed. */
  readyAt: number[];
  cpu: CpuUse;
  rssBytes: number;
}

export interface Received {
  /** Wall-clock ms at which each minion that the job targets got it. */
  at: number[];
  /** Ids that got it. */
  ids: string[];
}

/** Publish frames delivered to each minion by its transport, before any targeting check. */
class FrameCounter {
  readonly frames = new Map<string, number>();

  wrap(factory: TransportFactory, id: string): TransportFactory {
    const count = (): void => void this.frames.set(id, (this.frames.get(id) ?? 0) + 1);
    const wrapClient = (client: PublishClient): PublishClient =>
      new Proxy(client, {
        get(target, prop, receiver) {
          if (prop === Symbol.asyncIterator) {
            return () => {
              const inner = target[Symbol.asyncIterator]();
              return {
                async next() {
                  const r = await inner.next();
                  if (!r.done) count();
                  return r;
                },
                return: inner.return?.bind(inner),
                [Symbol.asyncIterator]() {
                  return this;
                },
              };
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const wrapFactory = (f: TransportFactory): TransportFactory =>
      new Proxy(f, {
        get(target, prop, receiver) {
          if (prop === 'publishClient') return (options?: object) => wrapClient(target.publishClient(options as never));
          if (prop === 'withOptions') return (options: object) => wrapFactory(target.withOptions(options as never));
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    return wrapFactory(factory);
  }

  total(): number {
    let n = 0;
    for (const v of this.frames.values()) n += v;
    return n;
  }
}

export async function startSwarmMinions(spec: SwarmMinionsSpec): Promise<{ role: Role; info: object }> {
  // Each ZeroMQ minion holds a DEALER, a SUB and their monitors (two sockets each), and a replaced socket lingers a moment; libzmq's default allows 1023.
  if (spec.transport === 'zeromq') raiseZmqSocketLimit(spec.ids.length * 8 + 256);
  const suite = createNodeSaltSuite();
  const counter = new FrameCounter();
  const received = new Map<string, Received>();
  const base = transportFactory(spec.transport);
  const minions: Minion[] = await Promise.all(
    spec.ids.map(async (id, i) => {
      const store = new MemoryKeyStore();
      await seedKeyPair(store, 'minion', spec.pems[i % spec.pems.length]!);
      const minion = createMinion(
        {
          id,
          transport: spec.transport,
          master: LOOPBACK,
          master_port: spec.retPort,
          publish_port: spec.publishPort,
          zmq_filtering: true,
          ...(spec.config as Dict),
        },
        { transports: [counter.wrap(base, id)], suite, keyStore: store, logger: silentLogger },
      );
      minion.events.on('job', (load) => {
        const jid = String(load.jid);
        let r = received.get(jid);
        if (!r) received.set(jid, (r = { at: [], ids: [] }));
        r.at.push(wallMs());
        r.ids.push(id);
      });
      return minion;
    }),
  );

  const start = async (args: { timeoutMs: number }): Promise<StartResult> => {
    const before = cpuSnapshot();
    const readyAt: number[] = [];
    let failed = 0;
    let firstError: string | undefined;
    await Promise.all(
      minions.map(async (m) => {
        try {
          await m.start({ timeout: args.timeoutMs });
          readyAt.push(wallMs());
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }),
    );
    return {
      started: readyAt.length,
      failed,
      ...(firstError === undefined ? {} : { firstError }),
      readyAt,
      cpu: cpuBetween(before, cpuSnapshot()),
      rssBytes: process.memoryUsage.rss(),
    };
  };

  const role: Role = {
    ops: {
      start,
      received: (args: { jid: string }): Received => received.get(args.jid) ?? { at: [], ids: [] },
      /** How many minions here the job reached so far (cheap to poll). */
      receivedCount: (args: { jid: string }): number => received.get(args.jid)?.at.length ?? 0,
      frames: (): number => counter.total(),
    },
    async close() {
      await Promise.allSettled(minions.map((m) => m.close()));
    },
  };
  return { role, info: { count: minions.length } };
}
