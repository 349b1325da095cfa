/**
 * The master of a swarm run: a full Brine Master (keys on disk, auto-accept, the handshake's
 * private-key work on the worker pool when there are two cores) that samples its own RSS, event-loop
 * delay and handshake queue, and counts `salt/auth` decisions so resends show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { silentLogger } from '@brine/contracts';
import { createMaster, type Dict, type MasterConfig } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import type { Role } from '../children/protocol.js';
import type { TransportName } from '../results.js';
import { masterSuite } from '../suites.js';
import { LOOPBACK, allTransportFactories, portOf } from '../transports.js';
import { wallMs } from './clock.js';

export interface SwarmMasterSpec {
  transport: TransportName;
  /** Master options over the swarm's (Salt names), e.g. `{ max_unauthenticated_connections: 5000 }`. */
  config?: Record<string, unknown>;
  /** Sample period of the queue/RSS series, ms. Default 250. */
  sampleMs?: number;
}

export interface QueueSample {
  /** ms since the series was reset. */
  t: number;
  /** Handshake tasks waiting for a crypto worker (0 without a pool). */
  queued: number;
  /** Distinct minions accepted so far. */
  accepted: number;
  rssMb: number;
}

export interface MasterSnapshot {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Event-loop delay since the last `phase`, ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  auth: { events: number; acceptedIds: number; byAct: Record<string, number> };
  connected: number;
  acceptedKeys: number;
  /** ms to list the accepted keys once (`brine key -L`'s work, without process start). */
  listKeysMs: number;
}

export interface PublishResult {
  jid: string;
  targeted: number;
  /** Wall-clock ms when the publish was handed to the transport. */
  at: number;
}

export async function startSwarmMaster(spec: SwarmMasterSpec): Promise<{ role: Role; info: object }> {
  const pki = mkdtempSync(join(tmpdir(), 'brine-swarm-master-'));
  const crypto = await masterSuite(availableParallelism() >= 2 ? 'pooled' : 'node');
  const keyStore = new FsKeyStore(pki);
  const master = createMaster(
    {
      transport: spec.transport,
      interface: LOOPBACK,
      publish_port: 0,
      ret_port: 0,
      auto_accept: true,
      zmq_filtering: true,
      auth_events: true,
      ...(spec.config as Partial<MasterConfig>),
    },
    { transports: allTransportFactories(true), suite: crypto.suite, keyStore, logger: silentLogger },
  );
  const acceptedIds = new Set<string>();
  const byAct: Record<string, number> = {};
  let events = 0;
  master.bus.subscribe('salt/auth', (event) => {
    events++;
    const act = String((event.data as Dict).act);
    byAct[act] = (byAct[act] ?? 0) + 1;
    if (act === 'accept') acceptedIds.add(String((event.data as Dict).id));
  });
  const addresses = await master.start();
  // Node records each whole timer interval, so the delay is the value less the resolution.
  const resolution = 10;
  const delay = monitorEventLoopDelay({ resolution });
  delay.enable();
  const pool = 'pool' in crypto.suite ? (crypto.suite as { pool: { stats(): { queued: number } } }).pool : undefined;
  let series: QueueSample[] = [];
  let seriesStart = performance.now();
  const sample = (): void => {
    series.push({
      t: Math.round(performance.now() - seriesStart),
      queued: pool?.stats().queued ?? 0,
      accepted: acceptedIds.size,
      rssMb: Math.round(process.memoryUsage.rss() / 1e5) / 10,
    });
  };
  const sampler = setInterval(sample, spec.sampleMs ?? 250);
  sampler.unref();

  const snapshot = async (): Promise<MasterSnapshot> => {
    const t0 = performance.now();
    const accepted = await keyStore.listMinionKeys('accepted');
    const listKeysMs = performance.now() - t0;
    const mem = process.memoryUsage();
    return {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      loopDelayMs: {
        p50: Math.max(0, delay.percentile(50) / 1e6 - resolution),
        p99: Math.max(0, delay.percentile(99) / 1e6 - resolution),
        max: Math.max(0, delay.max / 1e6 - resolution),
      },
      auth: { events, acceptedIds: acceptedIds.size, byAct: { ...byAct } },
      connected: master.connectedMinions.length,
      acceptedKeys: accepted.length,
      listKeysMs,
    };
  };

  const role: Role = {
    ops: {
      /** Starts a new measuring phase: resets the event-loop histogram and the queue series. */
      phase: () => {
        delay.reset();
        series = [];
        seriesStart = performance.now();
        sample();
        return true;
      },
      series: () => series,
      snapshot,
      gc: () => {
        (globalThis as { gc?: () => void }).gc?.();
        return process.memoryUsage.rss();
      },
      publish: async (args: { tgt: string | string[]; tgt_type?: 'glob' | 'list' }): Promise<PublishResult> => {
        const at = wallMs();
        const { jid, minions } = await master.publish({
          tgt: args.tgt,
          tgt_type: args.tgt_type ?? 'glob',
          fun: 'test.ping',
        });
        return { jid, targeted: minions.length, at };
      },
    },
    async close() {
      clearInterval(sampler);
      delay.disable();
      await master.close();
      await crypto.close();
      rmSync(pki, { recursive: true, force: true });
    },
  };
  return { role, info: { retPort: portOf(addresses.request), publishPort: portOf(addresses.publish) } };
}
