/** The report as titled tables of strings; the terminal, Markdown and HTML outputs all render these. */
import { formatSize } from '../context.js';
import { RAW_LIBRARY } from '../raw/index.js';
import { SALT_SCENARIO_LABELS, type BenchResults, type Mode, type SuiteName, type TransportName } from '../results.js';
import { cores, micros, rate, times, verdict } from './format.js';

export const SUITE_LABELS: Record<SuiteName, string> = {
  node: 'node',
  pooled: 'node + worker pool',
  forge: 'forge',
  nacl: 'nacl (tweetnacl)',
  'nacl-node': 'nacl (node:crypto)',
};

export interface Section {
  id: string;
  title: string;
  note?: string;
  headers: string[];
  rows: string[][];
  /** Columns that name a row, repeated in each part when a narrow terminal splits the table. */
  keys?: number[];
}

export function modeLabel(mode: Mode, transport: TransportName): string {
  if (mode === 'raw') return `raw ${RAW_LIBRARY[transport]}`;
  return mode === 'transport' ? 'Brine transport' : 'Brine channel';
}

export function buildSections(r: BenchResults): Section[] {
  const out: Section[] = [];
  if (r.reqrep.length) {
    out.push({
      id: 'reqrep',
      keys: [0, 1, 2, 3],
      title: 'Request/reply',
      note:
        'Closed loop: each reply sends the next request. "channel" = ReqChannel (AES session, v3) to a ' +
        'ReqServerChannel after a real sign-in; "transport" = bare RequestClient/RequestServer echo. ' +
        'Ratios are against the raw library at the same size and in-flight count (latency ratio at p50). ' +
        '"(sat.)": the load generator\'s event loop was saturated. CPU µs/req: CPU time per round trip in ' +
        'the load generator + the server, the figure least moved by other load on the machine.',
      headers: [
        'transport',
        'implementation',
        'size',
        'in flight',
        'req/s',
        'p50',
        'p99',
        'p99.9',
        '× raw req/s',
        '× raw p50',
        'load gen CPU',
        'server CPU',
        'CPU µs/req gen+srv',
      ],
      rows: r.reqrep.map((c) => [
        c.transport,
        modeLabel(c.mode, c.transport),
        formatSize(c.size),
        String(c.inflight),
        rate(c.throughput),
        micros(c.latencyUs.p50),
        micros(c.latencyUs.p99),
        micros(c.latencyUs.p999),
        times(c.vsRaw?.throughput),
        times(c.vsRaw?.latency),
        cores(c.clientCpu) + (c.clientElu > 0.97 ? ' (sat.)' : ''),
        cores(c.serverCpu),
        `${Math.round(c.clientCpuUsPerRequest)}+${Math.round(c.serverCpuUsPerRequest)}`,
      ]),
    });
  }
  if (r.pubsub.length) {
    out.push({
      id: 'pubsub',
      keys: [0, 1, 2],
      title: 'Publish fan-out',
      note:
        'Messages published as fast as backpressure allows; msg/s counts until every subscriber has every ' +
        'message. Latency = publish time (in the payload) to delivery. "channel" = PubServerChannel ' +
        '(AES + signature) decoded by a PubChannel per subscriber.',
      headers: [
        'transport',
        'implementation',
        'subscribers',
        'messages',
        'msg/s',
        'deliveries/s',
        'p50',
        'p99',
        'delivered',
        '× raw msg/s',
        '× raw p99',
        'publisher CPU',
        'subscribers CPU',
      ],
      rows: r.pubsub.map((c) => [
        c.transport,
        modeLabel(c.mode, c.transport),
        `${c.subscribers} (${c.subscriberProcesses} proc)`,
        String(c.messages),
        rate(c.messagesPerSecond),
        rate(c.deliveriesPerSecond),
        micros(c.latencyUs.p50),
        micros(c.latencyUs.p99),
        c.complete ? 'all' : `${c.delivered}/${c.expected}`,
        times(c.vsRaw?.throughput),
        times(c.vsRaw?.latency),
        cores(c.publisherCpu),
        cores(c.subscriberCpu),
      ]),
    });
  }
  if (r.auth.length) {
    out.push({
      id: 'auth',
      keys: [0, 1, 4],
      title: 'Auth handshakes',
      note:
        'N minions sign in at once, each again as soon as it is in. Minion keys are RSA-2048 (NaCl: X25519), ' +
        'pre-generated; the key size shown is the master\'s. "per master CPU-s" = handshakes per second of the ' +
        "master process's CPU time: its capacity with the cores to itself.",
      headers: [
        'suite',
        'master key',
        'transport',
        'minions',
        'load generator',
        'handshakes/s',
        'p50',
        'p99',
        'master CPU',
        'minions CPU',
        'per master CPU-s',
        'errors',
      ],
      rows: r.auth.map((c) => [
        SUITE_LABELS[c.suite],
        c.bits ? `RSA-${c.bits}` : 'X25519/Ed25519',
        c.transport,
        String(c.minions),
        c.load === 'master' ? 'replays _auth' : 'full minions',
        rate(c.perSecond),
        micros(c.latencyUs.p50),
        micros(c.latencyUs.p99),
        cores(c.serverCpu),
        cores(c.clientCpu),
        rate(c.perServerCpuSecond),
        String(c.errors),
      ]),
    });
  }
  if (r.families.includes('salt')) {
    out.push({
      id: 'salt',
      keys: [0],
      title: `Against salt-master${r.salt.version ? ` ${r.salt.version}` : ''}`,
      note: r.salt.skipped
        ? `Skipped: ${r.salt.skipped}.`
        : `Same Brine minions and load against salt-master (worker_threads ${r.salt.workerThreads}) and a Brine ` +
          'master (one process, node:crypto with the worker pool as `brine master` runs by default, keys on disk). ' +
          'Ratio = Brine ÷ Salt.',
      headers: [
        'scenario',
        'transport',
        'minions',
        'unit',
        'Brine',
        'Salt',
        'Brine ÷ Salt',
        'Brine CPU',
        'Salt CPU',
        'notes',
      ],
      rows: r.salt.cells.map((c) => [
        SALT_SCENARIO_LABELS[c.scenario],
        c.transport,
        String(c.minions),
        c.unit,
        rate(c.brine.value),
        rate(c.salt.value),
        times(c.ratio),
        cores(c.brine.serverCpu ?? NaN),
        cores(c.salt.serverCpu ?? NaN),
        [
          c.brine.complete && c.salt.complete ? '' : 'incomplete',
          c.brine.detail ? `Brine ${c.brine.detail}` : '',
          c.salt.detail ? `Salt ${c.salt.detail}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    });
  }
  out.push({
    id: 'targets',
    keys: [0],
    title: 'Targets',
    headers: ['target', 'result', 'figures'],
    rows: r.targets.map((t) => [t.description, verdict(t.met), t.detail]),
  });
  if (r.errors.length) {
    out.push({
      id: 'errors',
      keys: [0, 1],
      title: 'Errors',
      headers: ['family', 'case', 'code', 'message'],
      rows: r.errors.map((e) => [e.family, e.case, e.code, e.message]),
    });
  }
  return out;
}

export function machineLines(r: BenchResults): string[] {
  const m = r.machine;
  return [
    `${m.cpuModel}, ${m.cpus} CPUs (availableParallelism ${m.availableParallelism}), ${m.memoryGiB} GiB, ${m.platform} ${m.kernel}`,
    `Node ${m.node} (V8 ${m.v8}), OpenSSL ${m.openssl}` +
      (m.libzmq ? `, zeromq.js ${m.zeromqJs} (libzmq ${m.libzmq})` : '') +
      (m.ws ? `, ws ${m.ws}` : ''),
    `Load average at start ${m.loadAverage.join(' / ')}; pinning: ${m.pinning}`,
    `${r.quick ? 'Quick run' : 'Full run'} of ${r.families.join(', ')} on ${r.transports.join(', ')}, ` +
      `${r.startedAt} (${Math.round(r.seconds)} s); warm-up ${r.timing.warmupMs} ms, ` +
      `${r.timing.measureMs} ms per req/rep cell, ${r.timing.authMs} ms per auth cell`,
    ...(r.familySeconds && Object.keys(r.familySeconds).length
      ? [
          'Time per family: ' +
            r.families
              .filter((f) => r.familySeconds?.[f] !== undefined)
              .map((f) => `${f} ${r.familySeconds![f]!.toFixed(1)} s`)
              .join(', '),
        ]
      : []),
  ];
}
