/** The report's charts per family: small multiples that each keep one unit and one scale. */
import { formatSize } from '../context.js';
import type { BenchResults, Family, Mode } from '../results.js';
import { SALT_SCENARIO_LABELS } from '../results.js';
import { barChart, short, type BarGroup } from './chart.js';
import type { SuiteName } from '../results.js';

/** Suite names short enough for a chart's label column (the tables use the long ones). */
const SHORT_SUITES: Record<SuiteName, string> = {
  node: 'node',
  pooled: 'node+pool',
  forge: 'forge',
  nacl: 'tweetnacl',
  'nacl-node': 'nacl-node',
};

const SERIES: Record<Mode, string> = { raw: 'raw library', transport: 'Brine transport', channel: 'Brine channel' };

/** Microsecond values shown in one unit for the whole axis (µs, ms or s, by the largest). */
function latencyUnit(valuesUs: number[]): { unit: string; format: (us: number) => string } {
  const max = Math.max(0, ...valuesUs);
  const [unit, div] = max >= 1e6 ? ['s', 1e6] : max >= 1e3 ? ['ms', 1e3] : ['µs', 1];
  return { unit, format: (us) => short(us / div) };
}

function reqrepCharts(r: BenchResults): string[] {
  if (!r.reqrep.length) return [];
  const out: string[] = [];
  const maxInflight = Math.max(...r.reqrep.map((c) => c.inflight));
  const minInflight = Math.min(...r.reqrep.map((c) => c.inflight));
  const sizes = [...new Set(r.reqrep.map((c) => c.size))];
  const groupsAt = (size: number, inflight: number, value: (c: (typeof r.reqrep)[number]) => number): BarGroup[] =>
    r.transports
      .map((t) => ({
        label: t,
        bars: r.reqrep
          .filter((c) => c.transport === t && c.size === size && c.inflight === inflight)
          .map((c) => ({ series: SERIES[c.mode], value: value(c) })),
      }))
      .filter((g) => g.bars.length > 0);
  for (const size of sizes) {
    const groups = groupsAt(size, maxInflight, (c) => c.throughput);
    if (groups.length)
      out.push(
        barChart({
          title: `Throughput · ${formatSize(size)} · ${maxInflight} in flight`,
          unit: 'round trips per second',
          groups,
        }),
      );
  }
  for (const size of sizes) {
    const groups = groupsAt(size, minInflight, (c) => c.latencyUs.p50);
    const { unit, format } = latencyUnit(groups.flatMap((g) => g.bars.map((b) => b.value)));
    if (groups.length)
      out.push(
        barChart({
          title: `p50 latency · ${formatSize(size)} · ${minInflight} in flight`,
          unit: `${unit} (lower is better)`,
          groups,
          format,
        }),
      );
  }
  return out;
}

function pubsubCharts(r: BenchResults): string[] {
  return [...new Set(r.pubsub.map((c) => c.subscribers))].map((n) =>
    barChart({
      title: `Fan-out to ${n.toLocaleString('en-US')} subscriber${n === 1 ? '' : 's'}`,
      unit: 'messages per second, until every subscriber has all',
      groups: r.transports
        .map((t) => ({
          label: t,
          bars: r.pubsub
            .filter((c) => c.transport === t && c.subscribers === n)
            .map((c) => ({
              series: SERIES[c.mode],
              value: c.messagesPerSecond,
              ...(c.complete ? {} : { flagged: true, note: `incomplete: ${c.delivered}/${c.expected} delivered` }),
            })),
        }))
        .filter((g) => g.bars.length > 0),
    }),
  );
}

function authCharts(r: BenchResults): string[] {
  if (!r.auth.length) return [];
  const label = (c: (typeof r.auth)[number]): string =>
    `${SHORT_SUITES[c.suite]} ${c.bits ? `RSA-${c.bits}` : 'X25519'}`;
  const labels = [...new Set(r.auth.map(label))];
  const groups = (value: (c: (typeof r.auth)[number]) => number): BarGroup[] =>
    labels.map((l) => ({
      label: l,
      bars: r.auth
        .filter((c) => label(c) === l)
        .map((c) => ({
          series: c.load === 'master' ? 'minions replay _auth (master capacity)' : 'full minions',
          value: value(c),
        })),
    }));
  return [
    barChart({
      title: `Handshakes per second (${r.auth[0]!.transport})`,
      unit: 'handshakes per second',
      groups: groups((c) => c.perSecond),
      reference: { value: 1000, label: 'target 1,000/s with RSA-2048' },
    }),
    barChart({
      title: 'Handshakes per master CPU-second',
      unit: 'handshakes per CPU-second of the master process',
      groups: groups((c) => c.perServerCpuSecond),
    }),
  ];
}

function saltCharts(r: BenchResults): string[] {
  return r.salt.cells.map((c) =>
    barChart({
      title: `${SALT_SCENARIO_LABELS[c.scenario]}: Brine ${c.ratio.toFixed(c.ratio >= 10 ? 1 : 2)}×`,
      unit: c.unit,
      groups: [
        {
          label: `${c.minions} minions`,
          bars: [
            // The baseline first (grey, as the raw libraries are), Brine second.
            {
              series: 'salt-master',
              value: c.salt.value,
              ...(c.salt.complete ? {} : { flagged: true, note: 'incomplete' }),
            },
            {
              series: 'Brine master',
              value: c.brine.value,
              ...(c.brine.complete ? {} : { flagged: true, note: 'incomplete' }),
            },
          ],
        },
      ],
    }),
  );
}

export function chartsFor(r: BenchResults): Partial<Record<Family, string[]>> {
  return { reqrep: reqrepCharts(r), pubsub: pubsubCharts(r), auth: authCharts(r), salt: saltCharts(r) };
}
