/** The processes of the request/reply family: an echo server and a load generator, per transport and mode. */
import { ErrorCodes, ConfigError } from '@brine/contracts';
import { cpuBetween, cpuSnapshot, type CpuUse } from '../cpu.js';
import type { Role } from '../children/protocol.js';
import { rawEchoServer, rawRequester } from '../raw/index.js';
import type { Mode, SuiteName, TransportName } from '../results.js';
import { generatePems, minionSuite, type PemPair } from '../suites.js';
import { transportFactory } from '../transports.js';
import { brineEchoServer, brineRequester } from './brine-transport.js';
import { startChannelMaster } from './channel-master.js';
import { channelRequester, connectMinion, type ChannelCommand } from './channel-minion.js';
import { closedLoop, makePayload, type LoopResult } from './closed-loop.js';
import type { Requester } from './types.js';

export interface ReqRepServerSpec {
  transport: TransportName;
  mode: Mode;
  /** Channel mode: the master's suite and key size (default node, 2048). */
  suite?: SuiteName;
  bits?: number;
  masterPem?: PemPair;
}

export async function startReqRepServer(spec: ReqRepServerSpec): Promise<{ role: Role; info: { port: number } }> {
  const server =
    spec.mode === 'raw'
      ? await rawEchoServer(spec.transport)
      : spec.mode === 'transport'
        ? await brineEchoServer(transportFactory(spec.transport))
        : await startChannelMaster({
            transport: spec.transport,
            suite: spec.suite ?? 'node',
            bits: spec.bits ?? 2048,
            ...(spec.masterPem ? { masterPem: spec.masterPem } : {}),
          });
  return { role: { ops: {}, close: () => server.close() }, info: { port: server.port } };
}

export interface ReqRepClientSpec {
  transport: TransportName;
  mode: Mode;
  port: number;
  /** Channel mode: minions sharing the load (default 1), their id prefix and the command they send. */
  minions?: number;
  idPrefix?: string;
  command?: ChannelCommand;
  suite?: SuiteName;
  /** Minion key pairs (shared round-robin); made here when absent. */
  pems?: PemPair[];
  /** ZeroMQ request pipelining (default true; false against a salt-master). */
  pipelining?: boolean;
}

export interface CellArgs {
  size: number;
  inflight: number;
  ms: number;
}

export interface CellResult extends LoopResult {
  cpu: CpuUse;
}

async function requesterFor(spec: ReqRepClientSpec): Promise<Requester> {
  if (spec.mode === 'raw') return rawRequester(spec.transport, spec.port);
  const pipelining = spec.pipelining ?? true;
  if (spec.mode === 'transport') return brineRequester(transportFactory(spec.transport, pipelining), spec.port);
  const count = spec.minions ?? 1;
  if (count < 1) throw new ConfigError(ErrorCodes.CONFIG, 'a channel load needs at least one minion');
  const suiteName = spec.suite ?? 'node';
  const suite = minionSuite(suiteName);
  const pems = spec.pems?.length ? spec.pems : await generatePems(suiteName, 2048, Math.min(count, 4));
  const minions = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      connectMinion({
        transport: spec.transport,
        port: spec.port,
        id: `${spec.idPrefix ?? 'bench'}-${i}`,
        suite,
        pem: pems[i % pems.length]!,
        pipelining,
      }),
    ),
  );
  await Promise.all(minions.map((m) => m.auth.authenticate({ timeout: 60_000 })));
  return channelRequester(minions, spec.command ?? 'bench');
}

export async function startReqRepClient(spec: ReqRepClientSpec): Promise<{ role: Role; info: object }> {
  const requester = await requesterFor(spec);
  const payloads = new Map<number, Uint8Array>();
  const payload = (size: number): Uint8Array => {
    let p = payloads.get(size);
    if (!p) payloads.set(size, (p = makePayload(size)));
    return p;
  };
  const role: Role = {
    ops: {
      warm: async (args: CellArgs) => {
        const r = await closedLoop(requester, payload(args.size), args.inflight, args.ms, false);
        return { requests: r.requests, errors: r.errors };
      },
      measure: async (args: CellArgs): Promise<CellResult> => {
        const start = cpuSnapshot();
        const r = await closedLoop(requester, payload(args.size), args.inflight, args.ms);
        return { ...r, cpu: cpuBetween(start, cpuSnapshot()) };
      },
    },
    close: () => requester.close(),
  };
  return { role, info: {} };
}
