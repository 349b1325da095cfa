/** The processes of the publish family: one publisher, and subscribers spread over one or two processes. */
import { performance } from 'node:perf_hooks';
import type { Role } from '../children/protocol.js';
import { cpuBetween, cpuSnapshot, type CpuSnapshot, type CpuUse } from '../cpu.js';
import { rawPublisher, rawSubscribers } from '../raw/index.js';
import { raiseZmqSocketLimit } from '../raw/libs.js';
import type { Mode, TransportName } from '../results.js';
import { LogHistogram, type HistogramData } from '../stats/index.js';
import type { PemPair } from '../suites.js';
import { transportFactory } from '../transports.js';
import { brinePublisher, brineSubscribers } from './brine-transport.js';
import { channelDecoder, channelPublisher } from './channel-publish.js';
import { makePayload } from './closed-loop.js';
import type { OnMessage, Publisher, SubscriberGroup } from './types.js';

/** Wall-clock ms with sub-ms precision, comparable between processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Payload header: sequence number (u32 LE) then the publish time (f64 LE, wall-clock ms). */
export const HEADER_BYTES = 12;

export interface PubServerSpec {
  transport: TransportName;
  mode: Mode;
  masterPem?: PemPair;
}

export interface PublishArgs {
  messages: number;
  size: number;
}

export interface PublishResult {
  firstWall: number;
  lastWall: number;
}

export async function startPubServer(spec: PubServerSpec): Promise<{ role: Role; info: object }> {
  let publisher: Publisher;
  let sharedKey: string | undefined;
  let masterPub: string | undefined;
  if (spec.mode === 'raw') publisher = await rawPublisher(spec.transport);
  else if (spec.mode === 'transport') publisher = await brinePublisher(transportFactory(spec.transport));
  else {
    const channel = await channelPublisher(transportFactory(spec.transport), spec.masterPem);
    publisher = channel;
    sharedKey = channel.sharedKey;
    masterPub = channel.masterPub;
  }
  let seq = 0;
  const role: Role = {
    ops: {
      waitSubscribers: (args: { count: number; timeout: number }) =>
        publisher.waitSubscribers(args.count, args.timeout),
      publish: async (args: PublishArgs): Promise<PublishResult> => {
        const template = makePayload(Math.max(HEADER_BYTES, args.size));
        const firstWall = wallNow();
        for (let i = 0; i < args.messages; i++) {
          const payload = Buffer.from(template);
          payload.writeUInt32LE(seq++ >>> 0, 0);
          payload.writeDoubleLE(wallNow(), 4);
          await publisher.publish(payload);
        }
        return { firstWall, lastWall: wallNow() };
      },
    },
    close: () => publisher.close(),
  };
  return { role, info: { port: publisher.port, ...(sharedKey && masterPub ? { sharedKey, masterPub } : {}) } };
}

export interface SubscribersSpec {
  transport: TransportName;
  mode: Mode;
  port: number;
  count: number;
  /** First subscriber number (ids are unique across processes). */
  offset: number;
  sharedKey?: string;
  masterPub?: string;
}

export interface FinishResult {
  delivered: number;
  expected: number;
  complete: boolean;
  lastWall: number;
  histogram: HistogramData;
  cpu: CpuUse;
}

export async function startSubscribers(spec: SubscribersSpec): Promise<{ role: Role; info: object }> {
  if (spec.transport === 'zeromq') raiseZmqSocketLimit();
  const counts = new Uint32Array(spec.count);
  let target = 0;
  let delivered = 0;
  let completeSubs = 0;
  let lastWall = 0;
  let histogram = new LogHistogram();
  let armedAt: CpuSnapshot = cpuSnapshot();
  let onComplete: (() => void) | undefined;

  const onMessage: OnMessage = (i, bytes) => {
    const now = wallNow();
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    histogram.record((now - view.readDoubleLE(4)) * 1000);
    delivered++;
    lastWall = now;
    if (++counts[i]! === target && ++completeSubs === spec.count) onComplete?.();
  };

  let group: SubscriberGroup;
  if (spec.mode === 'raw') group = await rawSubscribers(spec.transport, spec.port, spec.count, onMessage);
  else {
    const factory = transportFactory(spec.transport);
    const decoder =
      spec.mode === 'channel' && spec.sharedKey && spec.masterPub
        ? await channelDecoder(spec.sharedKey, spec.masterPub)
        : undefined;
    group = await brineSubscribers(factory, spec.port, spec.count, onMessage, decoder, `sub-${spec.offset}`);
  }

  const finish = (idleMs: number): Promise<FinishResult> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearInterval(watchdog);
        onComplete = undefined;
        resolve({
          delivered,
          expected: target * spec.count,
          complete: completeSubs === spec.count,
          lastWall,
          histogram: histogram.toJSON(),
          cpu: cpuBetween(armedAt, cpuSnapshot()),
        });
      };
      let seen = delivered;
      let quietSince = wallNow();
      // A watchdog, not a synchronisation: completion resolves at once through onComplete.
      const watchdog = setInterval(
        () => {
          if (delivered !== seen) {
            seen = delivered;
            quietSince = wallNow();
          } else if (wallNow() - quietSince >= idleMs) done();
        },
        Math.max(50, idleMs / 10),
      );
      onComplete = done;
      if (completeSubs === spec.count) done();
    });

  const role: Role = {
    ops: {
      arm: (args: { messages: number }) => {
        counts.fill(0);
        target = args.messages;
        delivered = 0;
        completeSubs = target === 0 ? spec.count : 0;
        lastWall = 0;
        histogram = new LogHistogram();
        armedAt = cpuSnapshot();
        return true;
      },
      finish: (args: { idleMs: number }) => finish(args.idleMs),
    },
    close: () => group.close(),
  };
  return { role, info: {} };
}
