/** Publish fan-out: raw library, Brine transport and Brine channel to 1…1,000 subscribers per transport. */
import { BenchChild, stopAll } from '../children/parent.js';
import type { RunContext } from '../context.js';
import { cpuBetween } from '../cpu.js';
import type { Mode, PubSubCell, TransportName } from '../results.js';
import { LogHistogram } from '../stats/index.js';
import type { FinishResult, PublishResult } from './pubsub-roles.js';

export const PUBSUB_MODES: Mode[] = ['raw', 'transport', 'channel'];

/** One subscriber process up to 99 subscribers, two from 100 on. */
export function splitSubscribers(total: number): number[] {
  if (total < 100) return [total];
  const half = Math.ceil(total / 2);
  return [half, total - half];
}

interface Setup {
  server: BenchChild;
  subs: BenchChild[];
}

async function setUp(ctx: RunContext, transport: TransportName, mode: Mode, subscribers: number): Promise<Setup> {
  const label = `pubsub ${transport}/${mode} ×${subscribers}`;
  const masterPem = mode === 'channel' ? (await ctx.keyPairs('salt', 0)).master : undefined;
  const { child: server, info } = await BenchChild.start<{ port: number; sharedKey?: string; masterPub?: string }>(
    'pub-server',
    { transport, mode, masterPem },
    ctx.child(`${label} publisher`, 'server'),
  );
  const subs: BenchChild[] = [];
  try {
    let offset = 0;
    const starts = splitSubscribers(subscribers).map((count) => {
      const spec = {
        transport,
        mode,
        port: info.port,
        count,
        offset,
        sharedKey: info.sharedKey,
        masterPub: info.masterPub,
      };
      offset += count;
      return BenchChild.start('subscribers', spec, ctx.child(`${label} subscribers`, 'client'));
    });
    const settled = await Promise.allSettled(starts);
    for (const s of settled) if (s.status === 'fulfilled') subs.push(s.value.child);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await server.call('waitSubscribers', { count: subscribers, timeout: 60_000 }, 70_000);
    return { server, subs };
  } catch (error) {
    await stopAll([server, ...subs]);
    throw error;
  }
}

interface Round {
  published: PublishResult;
  finished: FinishResult[];
  serverCpu: number;
}

async function round(setup: Setup, messages: number, size: number, idleMs: number): Promise<Round> {
  await Promise.all(setup.subs.map((s) => s.call('arm', { messages })));
  const before = await setup.server.cpu();
  const finishing = Promise.all(setup.subs.map((s) => s.call<FinishResult>('finish', { idleMs })));
  const published = await setup.server.call<PublishResult>('publish', { messages, size });
  const finished = await finishing;
  const serverCpu = cpuBetween(before, await setup.server.cpu()).cores;
  return { published, finished, serverCpu };
}

async function measureCell(
  ctx: RunContext,
  setup: Setup,
  transport: TransportName,
  mode: Mode,
  subscribers: number,
): Promise<PubSubCell> {
  const { size, idleMs } = ctx.profile.pubsub;
  const messages = ctx.profile.pubsub.messages(subscribers);
  await round(setup, ctx.profile.pubsub.warmupMessages(subscribers), size, idleMs);
  const r = await round(setup, messages, size, idleMs);
  const histogram = new LogHistogram();
  for (const f of r.finished) histogram.merge(f.histogram);
  const delivered = r.finished.reduce((n, f) => n + f.delivered, 0);
  const expected = r.finished.reduce((n, f) => n + f.expected, 0);
  const lastWall = Math.max(r.published.lastWall, ...r.finished.map((f) => f.lastWall));
  const seconds = Math.max(1e-6, (lastWall - r.published.firstWall) / 1000);
  return {
    transport,
    mode,
    subscribers,
    subscriberProcesses: setup.subs.length,
    size,
    messages,
    seconds,
    messagesPerSecond: messages / seconds,
    deliveriesPerSecond: delivered / seconds,
    latencyUs: histogram.summary(),
    delivered,
    expected,
    complete: delivered >= expected && r.finished.every((f) => f.complete),
    publisherCpu: r.serverCpu,
    subscriberCpu: r.finished.reduce((n, f) => n + f.cpu.cores, 0),
  };
}

export async function runPubSub(ctx: RunContext): Promise<PubSubCell[]> {
  const { subscribers } = ctx.profile.pubsub;
  ctx.progress.plan(ctx.transports.length * subscribers.length * PUBSUB_MODES.length);
  const cells: PubSubCell[] = [];
  for (const transport of ctx.transports) {
    for (const n of subscribers) {
      // The three modes' processes and connections are set up at once (nothing is measured while
      // they start; idle subscribers cost next to nothing), then measured one after the other, each
      // stopped as soon as it is measured.
      ctx.progress.start(`pubsub ${transport}: connecting ${PUBSUB_MODES.length} × ${n} subscribers`);
      const setups = await Promise.all(
        PUBSUB_MODES.map((mode) =>
          setUp(ctx, transport, mode, n).then(
            (setup) => setup,
            (error: unknown) => {
              ctx.error('pubsub', `${transport}/${mode} x${n}`, error);
              return undefined;
            },
          ),
        ),
      );
      try {
        for (const [i, mode] of PUBSUB_MODES.entries()) {
          ctx.progress.start(`pubsub ${transport} ${mode} → ${n} subscriber${n === 1 ? '' : 's'}`);
          const setup = setups[i];
          if (setup) {
            try {
              cells.push(await measureCell(ctx, setup, transport, mode, n));
            } catch (error) {
              ctx.error('pubsub', `${transport}/${mode} x${n}`, error);
            } finally {
              await stopAll([setup.server, ...setup.subs]);
              setups[i] = undefined;
            }
          }
          ctx.progress.step();
        }
      } finally {
        await stopAll(setups.flatMap((s) => (s ? [s.server, ...s.subs] : [])));
      }
    }
  }
  return withPubSubRatios(cells);
}

export function withPubSubRatios(cells: PubSubCell[]): PubSubCell[] {
  return cells.map((cell) => {
    // An incomplete run has no meaningful rate to compare (it counts until the idle timeout).
    if (cell.mode === 'raw' || !cell.complete) return cell;
    const raw = cells.find(
      (c) => c.mode === 'raw' && c.transport === cell.transport && c.subscribers === cell.subscribers,
    );
    if (!raw || !raw.complete || raw.messagesPerSecond <= 0 || raw.latencyUs.p99 <= 0) return cell;
    return {
      ...cell,
      vsRaw: {
        throughput: cell.messagesPerSecond / raw.messagesPerSecond,
        latency: cell.latencyUs.p99 / raw.latencyUs.p99,
      },
    };
  });
}
