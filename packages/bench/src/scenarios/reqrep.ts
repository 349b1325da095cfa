/** Request/reply: raw library, Brine transport and Brine channel, side by side per transport. */
import { BenchChild, stopAll } from '../children/parent.js';
import { formatSize, type RunContext } from '../context.js';
import { cpuBetween } from '../cpu.js';
import type { Mode, ReqRepCell, TransportName } from '../results.js';
import type { CellResult } from './reqrep-roles.js';

export const REQREP_MODES: Mode[] = ['raw', 'transport', 'channel'];

interface Pair {
  mode: Mode;
  server: BenchChild;
  client: BenchChild;
}

async function startPair(ctx: RunContext, transport: TransportName, mode: Mode): Promise<Pair> {
  const keys = mode === 'channel' ? await ctx.keyPairs('salt', 4) : undefined;
  const { child: server, info } = await BenchChild.start<{ port: number }>(
    'reqrep-server',
    { transport, mode, masterPem: keys?.master },
    ctx.child(`reqrep ${transport}/${mode} server`, 'server'),
  );
  try {
    const { child: client } = await BenchChild.start(
      'reqrep-client',
      { transport, mode, port: info.port, pems: keys?.minions },
      ctx.child(`reqrep ${transport}/${mode} client`, 'client'),
    );
    return { mode, server, client };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function measureCell(
  ctx: RunContext,
  pair: Pair,
  transport: TransportName,
  size: number,
  inflight: number,
): Promise<ReqRepCell> {
  const { warmupMs, measureMs } = ctx.profile.reqrep;
  const args = { size, inflight, ms: warmupMs };
  await pair.client.call('warm', args, warmupMs + 60_000);
  const before = await pair.server.cpu();
  const r = await pair.client.call<CellResult>('measure', { ...args, ms: measureMs }, measureMs + 60_000);
  const server = cpuBetween(before, await pair.server.cpu());
  if (r.requests === 0) throw new Error(r.firstError ?? 'no request completed');
  return {
    transport,
    mode: pair.mode,
    size,
    inflight,
    requests: r.requests,
    seconds: r.seconds,
    throughput: r.requests / r.seconds,
    latencyUs: r.latencyUs,
    clientCpu: r.cpu.cores,
    serverCpu: server.cores,
    clientElu: r.cpu.elu,
    clientCpuUsPerRequest: (r.cpu.cores * r.cpu.wallMs * 1000) / r.requests,
    serverCpuUsPerRequest: (server.cores * server.wallMs * 1000) / r.requests,
    errors: r.errors,
  };
}

export async function runReqRep(ctx: RunContext): Promise<ReqRepCell[]> {
  const { sizes, inflight } = ctx.profile.reqrep;
  const perTransport = REQREP_MODES.length * sizes.length * inflight.length;
  ctx.progress.plan(ctx.transports.length * perTransport);
  const cells: ReqRepCell[] = [];
  for (const transport of ctx.transports) {
    // A transport's servers and load generators start at once (nothing is measured meanwhile;
    // idle ones cost nothing); the next transport reuses the processes (see BenchChild.stop).
    ctx.progress.start(`reqrep ${transport}: starting ${REQREP_MODES.length * 2} processes`);
    const started = await Promise.all(
      REQREP_MODES.map((mode) =>
        startPair(ctx, transport, mode).catch((error: unknown) => {
          ctx.error('reqrep', `${transport}/${mode}`, error);
          return undefined;
        }),
      ),
    );
    const pairs = started.filter((p): p is Pair => p !== undefined);
    try {
      // Modes are interleaved cell by cell, so a noisy neighbour hits raw and Brine alike.
      for (const size of sizes) {
        for (const w of inflight) {
          for (const mode of REQREP_MODES) {
            const pair = pairs.find((p) => p.mode === mode);
            ctx.progress.start(`reqrep ${transport} ${mode} ${formatSize(size)} ×${w}`);
            if (pair) {
              try {
                cells.push(await measureCell(ctx, pair, transport, size, w));
              } catch (error) {
                ctx.error('reqrep', `${transport}/${mode} ${formatSize(size)} x${w}`, error);
              }
            }
            ctx.progress.step();
          }
        }
      }
    } finally {
      await stopAll(pairs.flatMap((p) => [p.client, p.server]));
    }
  }
  return withRatios(cells);
}

/** Adds each Brine cell's ratio to the raw cell of the same transport, size and in-flight count. */
export function withRatios(cells: ReqRepCell[]): ReqRepCell[] {
  return cells.map((cell) => {
    if (cell.mode === 'raw') return cell;
    const raw = cells.find(
      (c) => c.mode === 'raw' && c.transport === cell.transport && c.size === cell.size && c.inflight === cell.inflight,
    );
    if (!raw || raw.throughput <= 0 || raw.latencyUs.p50 <= 0) return cell;
    return {
      ...cell,
      vsRaw: { throughput: cell.throughput / raw.throughput, latency: cell.latencyUs.p50 / raw.latencyUs.p50 },
    };
  });
}
