/**
 * A minion's Prometheus series, from its events (`minion.events`: jobs, returns, sign-in
 * transitions, reconnects) and its sign-in state read at scrape time. See docs/metrics.md.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthStateName } from '../../auth/auth-state.js';
import type { Minion } from '../../minion/minion.js';

export interface MinionMetricsOptions {
  registry?: Registry;
  /** prom-client's process and Node.js series. Default true. */
  defaultMetrics?: boolean;
}

export interface MinionMetrics {
  readonly registry: Registry;
  dispose(): void;
}

const STATES: readonly AuthStateName[] = [
  'idle',
  'signing-in',
  'pending',
  'authenticated',
  're-authenticating',
  'rejected',
  'failed',
];

/** Registers a minion's series and subscribes to its events. */
export function createMinionMetrics(minion: Minion, options: MinionMetricsOptions = {}): MinionMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'brine_minion_auth_state',
    help: 'The sign-in state: 1 for the current one (idle, signing-in, pending, authenticated, re-authenticating, rejected, failed)',
    labelNames: ['state'],
    registers,
    collect() {
      const current = minion.auth?.state ?? 'idle';
      for (const state of STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const transitions = new Counter({
    name: 'brine_minion_auth_transitions_total',
    help: 'Sign-in state changes, by the state entered',
    labelNames: ['to'],
    registers,
  });
  const jobs = new Counter({
    name: 'brine_minion_jobs_total',
    help: 'Jobs received that target this minion',
    registers,
  });
  const returns = new Counter({
    name: 'brine_minion_returns_total',
    help: 'Job returns, by whether they reached the master (sent: true or false)',
    labelNames: ['sent'],
    registers,
  });
  const reconnects = new Counter({
    name: 'brine_minion_reconnects_total',
    help: 'Reconnections and re-authentications after a master restart or key rotation',
    registers,
  });
  const offs = [
    minion.events.on('auth', (t) => transitions.inc({ to: t.to })),
    minion.events.on('job', () => jobs.inc()),
    minion.events.on('return', (_ret, sent) => returns.inc({ sent: String(sent) })),
    minion.events.on('reconnect', () => reconnects.inc()),
  ];
  return {
    registry,
    dispose: () => {
      for (const off of offs) off();
    },
  };
}
