/**
 * `brine-bench swarm`: N real Brine minions (own RSA-2048 key, real sign-in, real subscription)
 * spread over a few processes against one Brine master in its own process. Measures the cold
 * sign-in storm (time until every minion is signed in and subscribed, the handshake queue over
 * time, resends), the master's memory per signed-in minion and its event-loop delay with all
 * connected, a publish to all (completion p50/p99) and one targeted at 1% (who got it, counted
 * below the minion's own targeting check). Asserts completeness, reports timings.
 */
import { availableParallelism } from 'node:os';
import { BenchChild, killAllChildren, stopAll } from '../children/parent.js';
import { cpuBetween, type CpuSnapshot, type CpuUse } from '../cpu.js';
import type { TransportName } from '../results.js';
import type { PemPair } from '../suites.js';
import { cachedKeyPairs } from './key-cache.js';
import { raiseFdLimit, type FdLimits } from './fd-limit.js';
import type { MasterSnapshot, PublishResult, QueueSample } from './master-role.js';
import type { Received, StartResult } from './minions-role.js';
import { wallMs } from './clock.js';

export interface SwarmOptions {
  transport: TransportName;
  minions: number;
  /** Minion processes (default: 1 per 2,500 minions, at least 2). */
  processes?: number;
  /**
   * Distinct RSA keys, shared round-robin when fewer than `minions` (default: one per minion,
   * cached on disk). The CI-sized case uses a few to skip key generation on a fresh machine.
   */
  distinctKeys?: number;
  keyDir?: string;
  /** Fraction of the minions the targeted publish selects. Default 0.01. */
  targetedFraction?: number;
  /** Master options (Salt names) over the swarm's defaults. */
  masterConfig?: Record<string, unknown>;
  minionConfig?: Record<string, unknown>;
  /** ms the storm may take before a minion counts as given up. Default 300 000. */
  stormTimeoutMs?: number;
  /** Start every process with --cpu-prof into this folder. */
  cpuProf?: string;
  log?: (line: string) => void;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface SwarmPublish {
  targeted: number;
  delivered: number;
  /** Targeted minions that got it, and other minions whose transport delivered it anyway. */
  strays: number;
  completionMs: Percentiles;
}

export interface SwarmResult {
  transport: TransportName;
  minions: number;
  processes: number;
  distinctKeys: number;
  fdLimit: FdLimits | undefined;
  storm: {
    seconds: number;
    signedIn: number;
    failed: number;
    firstError?: string;
    /** `salt/auth` decisions seen by the master, and decisions beyond one accept per minion. */
    authEvents: number;
    resends: number;
    byAct: Record<string, number>;
    queue: QueueSample[];
    peakQueued: number;
    masterCpu: CpuUse;
    swarmCpu: CpuUse[];
    swarmRssMb: number[];
  };
  memory: {
    masterRssBeforeMb: number;
    masterRssAfterMb: number;
    perMinionKb: number;
    heapUsedMb: number;
  };
  idle: { loopDelayMs: { p50: number; p99: number; max: number }; listKeysMs: number };
  publishAll: SwarmPublish;
  publishTargeted: SwarmPublish;
  complete: boolean;
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

function slices<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]!.push(item));
  return out;
}

/** Polls `done` until it holds (each poll is an IPC round trip, so this waits on events, not the clock). */
async function until(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`swarm: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runSwarm(options: SwarmOptions): Promise<SwarmResult> {
  const log = options.log ?? (() => {});
  const n = options.minions;
  const processes = options.processes ?? Math.max(2, Math.ceil(n / 2500));
  const fdLimit = raiseFdLimit(Math.max(4096, n * 3 + 1024));
  const distinct = Math.min(n, options.distinctKeys ?? n);
  log(`swarm ${options.transport}: ${n} minions in ${processes} processes; fd limit ${fdLimit?.soft ?? '?'}`);
  const pems: PemPair[] = await cachedKeyPairs(distinct, {
    ...(options.keyDir ? { dir: options.keyDir } : {}),
    onMade: (made, missing) => {
      if (made % 250 === 0 || made === missing) log(`  keys: made ${made}/${missing} (cached for next runs)`);
    },
  });
  const ids = Array.from({ length: n }, (_, i) => `swarm-${String(i).padStart(5, '0')}`);
  const prof = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [];
  let master: BenchChild | undefined;
  const swarm: BenchChild[] = [];
  try {
    const m = await BenchChild.start<{ retPort: number; publishPort: number }>(
      'swarm-master',
      { transport: options.transport, ...(options.masterConfig ? { config: options.masterConfig } : {}) },
      { name: 'swarm master', execArgv: ['--expose-gc', ...prof] },
    );
    master = m.child;
    const ports = m.info;
    const rssBefore = await master.call<number>('gc');
    const idSlices = slices(ids, processes);
    const pemSlices = slices(
      ids.map((_, i) => pems[i % pems.length]!),
      processes,
    );
    await Promise.all(
      idSlices.map(async (slice, p) => {
        const child = await BenchChild.start(
          'swarm-minions',
          {
            transport: options.transport,
            retPort: ports.retPort,
            publishPort: ports.publishPort,
            ids: slice,
            pems: pemSlices[p]!,
            ...(options.minionConfig ? { config: options.minionConfig } : {}),
          },
          { name: `swarm minions ${p}`, startTimeout: 300_000, execArgv: prof },
        );
        swarm.push(child.child);
      }),
    );

    // The cold storm: every minion starts at once.
    log(`  storm: ${n} minions signing in at once`);
    await master.call('phase');
    const masterCpu0 = await master.cpu();
    const t0 = wallMs();
    const timeoutMs = options.stormTimeoutMs ?? 300_000;
    const starts = await Promise.all(swarm.map((c) => c.call<StartResult>('start', { timeoutMs }, timeoutMs + 60_000)));
    const masterCpu1: CpuSnapshot = await master.cpu();
    const queue = await master.call<QueueSample[]>('series');
    const readyAt = starts.flatMap((s) => s.readyAt);
    const stormSeconds = (Math.max(t0, ...readyAt) - t0) / 1000;
    const signedIn = readyAt.length;
    const failed = starts.reduce((a, s) => a + s.failed, 0);
    const firstError = starts.find((s) => s.firstError)?.firstError;
    const afterStorm = await master.call<MasterSnapshot>('snapshot');
    log(`  storm: ${signedIn}/${n} signed in in ${stormSeconds.toFixed(2)} s, ${failed} failed`);

    // Memory and event-loop delay with everyone connected and idle.
    const rssAfter = await master.call<number>('gc');
    await master.call('phase');
    await new Promise((r) => setTimeout(r, 1000)); // a measuring window, not synchronisation
    const idle = await master.call<MasterSnapshot>('snapshot');

    const publish = async (
      tgt: string | string[],
      tgtType: 'glob' | 'list',
      expected: Set<string>,
    ): Promise<SwarmPublish> => {
      const framesBefore = await Promise.all(swarm.map((c) => c.call<number>('frames')));
      const sent = await master!.call<PublishResult>('publish', { tgt, tgt_type: tgtType });
      const count = async (): Promise<number> =>
        (await Promise.all(swarm.map((c) => c.call<number>('receivedCount', { jid: sent.jid })))).reduce(
          (a, b) => a + b,
          0,
        );
      await until(
        async () => (await count()) >= expected.size,
        60_000,
        `publish ${sent.jid} delivered to ${expected.size}`,
      );
      // A barrier publish to everyone: frames are delivered in order per connection, so once every
      // minion has the barrier, any stray copy of the first publish has arrived too.
      const barrier = await master!.call<PublishResult>('publish', { tgt: '*', tgt_type: 'glob' });
      const barrierCount = async (): Promise<number> =>
        (await Promise.all(swarm.map((c) => c.call<number>('receivedCount', { jid: barrier.jid })))).reduce(
          (a, b) => a + b,
          0,
        );
      await until(async () => (await barrierCount()) >= n, 60_000, 'barrier publish delivered to all');
      const framesAfter = await Promise.all(swarm.map((c) => c.call<number>('frames')));
      const frames = framesAfter.reduce((a, f, i) => a + f - framesBefore[i]!, 0);
      const got = await Promise.all(swarm.map((c) => c.call<Received>('received', { jid: sent.jid })));
      const at = got.flatMap((r) => r.at);
      const gotIds = got.flatMap((r) => r.ids);
      const wrong = gotIds.filter((id) => !expected.has(id)).length;
      return {
        targeted: sent.targeted,
        delivered: gotIds.length - wrong,
        strays: frames - n - (gotIds.length - wrong),
        completionMs: percentiles(at.map((t) => t - sent.at)),
      };
    };
    log('  publish to all');
    const publishAll = await publish('*', 'glob', new Set(ids));
    const fraction = options.targetedFraction ?? 0.01;
    const every = Math.max(1, Math.round(1 / fraction));
    const chosen = ids.filter((_, i) => i % every === 0);
    log(`  publish to ${chosen.length} (${(fraction * 100).toFixed(1)}%)`);
    const publishTargeted = await publish(chosen, 'list', new Set(chosen));

    const masterCpu = cpuBetween(masterCpu0, masterCpu1);
    const peakQueued = Math.max(0, ...queue.map((q) => q.queued));
    const result: SwarmResult = {
      transport: options.transport,
      minions: n,
      processes,
      distinctKeys: distinct,
      fdLimit,
      storm: {
        seconds: stormSeconds,
        signedIn,
        failed,
        ...(firstError === undefined ? {} : { firstError }),
        authEvents: afterStorm.auth.events,
        resends: afterStorm.auth.events - afterStorm.auth.acceptedIds,
        byAct: afterStorm.auth.byAct,
        queue,
        peakQueued,
        masterCpu,
        swarmCpu: starts.map((s) => s.cpu),
        swarmRssMb: starts.map((s) => s.rssBytes / 1e6),
      },
      memory: {
        masterRssBeforeMb: rssBefore / 1e6,
        masterRssAfterMb: rssAfter / 1e6,
        perMinionKb: (rssAfter - rssBefore) / 1024 / n,
        heapUsedMb: idle.heapUsedBytes / 1e6,
      },
      idle: { loopDelayMs: idle.loopDelayMs, listKeysMs: idle.listKeysMs },
      publishAll,
      publishTargeted,
      complete:
        signedIn === n &&
        failed === 0 &&
        publishAll.delivered === n &&
        publishTargeted.delivered === chosen.length &&
        publishTargeted.targeted === chosen.length,
    };
    return result;
  } finally {
    await stopAll([...swarm, master]);
    killAllChildren();
  }
}

/** One run's figures as a few aligned lines. */
export function formatSwarm(r: SwarmResult): string {
  const ms = (p: Percentiles): string => `p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms`;
  const cores = (c: CpuUse): string => `${c.cores.toFixed(2)} cores`;
  return [
    `swarm on ${r.transport}: ${r.minions} minions in ${r.processes} processes (${r.distinctKeys} distinct RSA-2048 keys), ${r.complete ? 'complete' : 'INCOMPLETE'}`,
    `  sign-in storm    ${r.storm.signedIn}/${r.minions} in ${r.storm.seconds.toFixed(2)} s (${(r.storm.signedIn / Math.max(r.storm.seconds, 1e-3)).toFixed(0)}/s), ${r.storm.failed} gave up, ${r.storm.resends} repeated sign-ins (${Object.entries(
      r.storm.byAct,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), peak handshake queue ${r.storm.peakQueued}`,
    `                   master ${cores(r.storm.masterCpu)}; swarm ${r.storm.swarmCpu.map(cores).join(' + ')}, RSS ${r.storm.swarmRssMb.map((m) => m.toFixed(0)).join(' + ')} MB`,
    `  master memory    RSS ${r.memory.masterRssBeforeMb.toFixed(0)} → ${r.memory.masterRssAfterMb.toFixed(0)} MB: ${r.memory.perMinionKb.toFixed(1)} KB per signed-in minion (heap ${r.memory.heapUsedMb.toFixed(0)} MB)`,
    `  idle, all in     event-loop delay p50 ${r.idle.loopDelayMs.p50.toFixed(1)} ms, p99 ${r.idle.loopDelayMs.p99.toFixed(1)} ms; list ${r.minions} accepted keys ${r.idle.listKeysMs.toFixed(1)} ms`,
    `  publish to all   ${r.publishAll.delivered}/${r.publishAll.targeted} delivered, completion ${ms(r.publishAll.completionMs)}`,
    `  publish to 1%    ${r.publishTargeted.delivered}/${r.publishTargeted.targeted} delivered, ${r.publishTargeted.strays} frames to others, completion ${ms(r.publishTargeted.completionMs)}`,
    '',
  ].join('\n');
}

export function defaultProcesses(minions: number): number {
  return Math.max(2, Math.min(availableParallelism() * 2, Math.ceil(minions / 2500)));
}
