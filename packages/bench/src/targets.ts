/** The figures ISSUE 7 asks Brine to reach, checked against a run's results. */
import {
  SALT_SCENARIO_LABELS,
  type BenchResults,
  type SaltCell,
  type SaltScenario,
  type TargetCheck,
} from './results.js';
import { formatSize } from './context.js';

function ratio(n: number): string {
  return `${n.toFixed(2)}×`;
}

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];

  const maxInflight = Math.max(0, ...r.reqrep.map((c) => c.inflight));
  const channel = r.reqrep.filter((c) => c.mode === 'channel' && c.inflight === maxInflight && c.vsRaw);
  const perTransport = (pick: (c: (typeof channel)[number]) => string): string =>
    r.transports
      .map((t) => {
        const mine = channel.filter((c) => c.transport === t);
        return mine.length ? `${t}: ${mine.map(pick).join(', ')}` : `${t}: not measured`;
      })
      .join('; ');
  const measured = channel.length > 0 && r.transports.every((t) => channel.some((c) => c.transport === t));
  checks.push({
    id: 'channel-throughput',
    description: `Full channel at ${maxInflight || 128} in flight reaches ≥ 0.5× its raw library's throughput on every transport`,
    met: measured ? channel.every((c) => c.vsRaw!.throughput >= 0.5) : null,
    detail: perTransport((c) => `${formatSize(c.size)} ${ratio(c.vsRaw!.throughput)}`),
  });
  checks.push({
    id: 'channel-p50',
    description: `Full channel at ${maxInflight || 128} in flight has p50 latency ≤ 1.5× raw on every transport`,
    met: measured ? channel.every((c) => c.vsRaw!.latency <= 1.5) : null,
    detail: perTransport((c) => `${formatSize(c.size)} ${ratio(c.vsRaw!.latency)}`),
  });

  const rsa2048 = r.auth.filter((c) => c.bits === 2048 && (c.suite === 'node' || c.suite === 'pooled'));
  const best = rsa2048.reduce<(typeof rsa2048)[number] | undefined>(
    (a, c) => (!a || c.perSecond > a.perSecond ? c : a),
    undefined,
  );
  checks.push({
    id: 'auth-2048',
    description: `≥ 1,000 handshakes/s with RSA-2048 on ${r.machine.availableParallelism} cores`,
    met: best ? best.perSecond >= 1000 : null,
    detail: rsa2048.length
      ? rsa2048
          .map(
            (c) =>
              `${c.suite}${c.load === 'master' ? ' (master capacity)' : ' (full minions)'}: ${Math.round(c.perSecond)}/s (master ${c.serverCpu.toFixed(2)} cores, ` +
              `${Math.round(c.perServerCpuSecond)} per master CPU-second; minions ${c.clientCpu.toFixed(2)} cores)`,
          )
          .join('; ')
      : 'not measured',
  });

  const thousand = r.pubsub.filter((c) => c.subscribers >= 1000 && c.mode !== 'raw');
  const fanMeasured = thousand.length > 0 && r.transports.every((t) => thousand.some((c) => c.transport === t));
  checks.push({
    id: 'publish-1000',
    description: 'A 1,000-subscriber publish is delivered in full on every transport',
    met: fanMeasured ? thousand.every((c) => c.complete) : null,
    detail: thousand.length
      ? thousand.map((c) => `${c.transport}/${c.mode}: ${c.delivered}/${c.expected}`).join('; ')
      : r.pubsub.length
        ? `not measured (this run's largest fan-out: ${Math.max(...r.pubsub.map((c) => c.subscribers))} subscribers)`
        : 'not measured',
  });

  // Auth compares the masters at capacity (replayed `_auth`): with full minions on the same two
  // cores the load generator, not the master, sets Brine's pace. Both figures are shown.
  const saltCell = (scenario: SaltScenario) => r.salt.cells.find((c) => c.scenario === scenario);
  const describe = (cell: SaltCell | undefined, label: string) =>
    cell
      ? `${label}Brine ${Math.round(cell.brine.value)} vs Salt ${Math.round(cell.salt.value)} ${cell.unit}: ${ratio(cell.ratio)}`
      : undefined;
  for (const [scenario, aim, context, shown] of [
    ['auth-capacity', 5, 'a salt-master signs in about 210 minions/s', ['auth-capacity', 'auth']],
    ['requests', 25, 'a salt-master answers about 900 encrypted requests/s', ['requests']],
  ] as const) {
    const cell = saltCell(scenario);
    const details = shown
      .map((s) => describe(saltCell(s), shown.length > 1 ? `${SALT_SCENARIO_LABELS[s]}: ` : ''))
      .filter(Boolean);
    checks.push({
      id: scenario === 'requests' ? 'salt-requests' : 'salt-auth',
      description: `Brine master ≥ ${aim}× salt-master on ${scenario === 'requests' ? 'requests' : 'auth'} (context: ${context})`,
      met: cell ? cell.ratio >= aim : null,
      detail: details.length ? details.join('; ') : (r.salt.skipped ?? 'not measured'),
    });
  }
  return checks;
}
