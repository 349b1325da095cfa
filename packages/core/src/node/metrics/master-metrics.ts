/**
 * A master's Prometheus series (prom-client), fed by the master's own seams: `master.telemetry`
 * events (requests, publishes, completed jobs), `master.onError` (refusals) and `master.stats()`
 * read at scrape time (connections, handshakes, the transport's bounds). Core itself knows nothing
 * of prom-client. Every series is listed in docs/metrics.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthOutcome } from '../../auth/auth-server.js';
import type { Master } from '../../master/master.js';
import { PooledCryptoSuite } from '../pooled-suite.js';

export interface MasterMetricsOptions {
  /** Where the series are registered; a new Registry by default (so two masters in one process do not clash). */
  registry?: Registry;
  /** Also register prom-client's process and Node.js series (`process_*`, `nodejs_eventloop_lag_seconds`, ...). Default true. */
  defaultMetrics?: boolean;
}

export interface MasterMetrics {
  readonly registry: Registry;
  /** Stops listening to the master (the series stay registered). */
  dispose(): void;
}

/** Seconds; a loopback request takes well under a millisecond, a 4096-bit handshake a few. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds from publish to the last return: minions run the job in between. */
const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The `outcome` label of `brine_master_sign_ins_total` for each auth server decision. */
export const SIGN_IN_OUTCOMES: Readonly<Record<AuthOutcome, string>> = {
  accept: 'accepted',
  pend: 'pending',
  reject: 'rejected',
  denied: 'denied',
  full: 'full',
  error: 'error',
  'bad-algo': 'invalid',
  invalid: 'invalid',
};

/** Registers a master's series (see docs/metrics.md) and subscribes to the master. */
export function createMasterMetrics(master: Master, options: MasterMetricsOptions = {}): MasterMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const transport = master.config.transport;

  // Read at scrape time from master.stats().
  new Gauge({
    name: 'brine_master_ready',
    help: '1 while the master runs (listeners bound, keys loaded), else 0',
    registers,
    collect() {
      this.set(master.status === 'running' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'brine_master_connected_minions',
    help: 'Minions seen alive (signed in, returned or announced presence) since the last restart or key change',
    labelNames: ['transport'],
    registers,
    collect() {
      this.set({ transport }, master.stats().connectedMinions);
    },
  });
  new Gauge({
    name: 'brine_master_publish_subscribers',
    help: 'Connections on the publish server',
    labelNames: ['transport'],
    registers,
    collect() {
      this.set({ transport }, master.stats().publishSubscribers);
    },
  });
  new Gauge({
    name: 'brine_master_handshakes_in_flight',
    help: '_auth requests being handled now (the handshake queue)',
    registers,
    collect() {
      this.set(master.stats().handshakesInFlight);
    },
  });
  new Gauge({
    name: 'brine_master_jobs',
    help: 'Published jobs tracked until their returns are collected (bounded by max_jobs and keep_jobs)',
    registers,
    collect() {
      this.set(master.stats().jobs);
    },
  });
  new Counter({
    name: 'brine_master_jobs_evicted_total',
    help: 'Jobs dropped by the max_jobs / keep_jobs bounds before anyone collected them',
    registers,
    collect() {
      setCounter(this, master.stats().jobsEvicted);
    },
  });
  registerRequestServerSeries(master, transport, registers);
  registerCryptoPoolSeries(master, registers);

  // Counted as they happen, from master.telemetry and master.onError.
  const signIns = new Counter({
    name: 'brine_master_sign_ins_total',
    help: 'Sign-ins (_auth requests) by outcome: accepted, pending, rejected, denied, full, invalid, error',
    labelNames: ['outcome'],
    registers,
  });
  const requests = new Counter({
    name: 'brine_master_requests_total',
    help: 'Requests the request channel answered, by command (_auth, a registered command, or other) and result (ok, refused, error)',
    labelNames: ['cmd', 'result'],
    registers,
  });
  const latency = new Histogram({
    name: 'brine_master_request_duration_seconds',
    help: 'Time from a request reaching the request channel to its reply being decided, by command',
    labelNames: ['cmd'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const refusals = new Counter({
    name: 'brine_master_refusals_total',
    help: 'Requests the master refused, by error code (ERR_REPLAY, ERR_PENDING_LIMIT, ERR_TOKEN_INVALID, ...)',
    labelNames: ['code'],
    registers,
  });
  const publishes = new Counter({ name: 'brine_master_publishes_total', help: 'Jobs published', registers });
  const targets = new Counter({
    name: 'brine_master_publish_targets_total',
    help: 'Minions targeted by the published jobs (the fan-out, summed)',
    registers,
  });
  const publishBytes = new Counter({
    name: 'brine_master_publish_payload_bytes_total',
    help: 'Bytes of signed, encrypted job payloads handed to the publish transport (once per job, not per subscriber)',
    registers,
  });
  const publishTime = new Histogram({
    name: 'brine_master_publish_duration_seconds',
    help: 'Time to encrypt, sign and queue a job for every subscriber (fan-out)',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const jobTime = new Histogram({
    name: 'brine_master_job_completion_seconds',
    help: 'Time from a job being published to the last targeted minion returning (jobs where every minion returned)',
    buckets: JOB_BUCKETS,
    registers,
  });
  // Zero series for the outcomes, so a dashboard sees 0 rather than no data.
  for (const outcome of new Set(Object.values(SIGN_IN_OUTCOMES))) signIns.inc({ outcome }, 0);

  const offs = [
    master.telemetry.on('request', (event) => {
      requests.inc({ cmd: event.cmd, result: event.result });
      latency.observe({ cmd: event.cmd }, event.durationMs / 1000);
      if (event.auth !== undefined) signIns.inc({ outcome: SIGN_IN_OUTCOMES[event.auth] });
    }),
    master.telemetry.on('publish', (event) => {
      publishes.inc();
      targets.inc(event.minions);
      publishBytes.inc(event.bytes);
      publishTime.observe(event.durationMs / 1000);
    }),
    master.telemetry.on('jobComplete', (event) => jobTime.observe(event.durationMs / 1000)),
    master.onError((error) => refusals.inc({ code: error.code })),
  ];
  return {
    registry,
    dispose: () => {
      for (const off of offs) off();
    },
  };
}

/** What the transport's request server holds and has refused (`RequestServer.stats()`), when it keeps stats. */
function registerRequestServerSeries(master: Master, transport: string, registers: Registry[]): void {
  const gauges: Array<[string, string, (s: NonNullable<ReturnType<Master['stats']>['requestServer']>) => number]> = [
    [
      'brine_transport_request_connections',
      'Open connections (peers, on ZeroMQ) on the request server',
      (s) => s.connections,
    ],
    [
      'brine_transport_request_unauthenticated_connections',
      'Request connections that have not proven themselves yet',
      (s) => s.unauthenticated,
    ],
    ['brine_transport_requests_in_flight', 'Requests being handled now', (s) => s.inFlight],
    [
      'brine_transport_request_inbound_buffered_bytes',
      'Bytes of partially received requests held against inbound_budget now',
      (s) => s.inboundBytes,
    ],
    [
      'brine_transport_request_outbound_buffered_bytes',
      'Bytes of replies waiting to be written now',
      (s) => s.outboundBytes,
    ],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      labelNames: ['transport'],
      registers,
      collect() {
        const stats = master.stats().requestServer;
        if (stats) this.set({ transport }, read(stats));
      },
    });
  }
  new Counter({
    name: 'brine_transport_refusals_total',
    help: 'Connections or messages the request server refused by a bound, by error code (ERR_MESSAGE_TOO_LARGE, ERR_OVER_BUDGET, ...)',
    labelNames: ['transport', 'code'],
    registers,
    collect() {
      const refused = master.stats().requestServer?.refused ?? {};
      this.reset();
      for (const [code, n] of Object.entries(refused)) this.inc({ transport, code }, n);
    },
  });
  const bytes: Array<[string, string, 'receivedBytes' | 'sentBytes']> = [
    ['brine_transport_request_received_bytes_total', 'Bytes received by the request server', 'receivedBytes'],
    ['brine_transport_request_sent_bytes_total', 'Bytes of replies the request server wrote', 'sentBytes'],
  ];
  for (const [name, help, field] of bytes) {
    new Counter({
      name,
      help,
      labelNames: ['transport'],
      registers,
      collect() {
        const value = master.stats().requestServer?.[field];
        if (value === undefined) return;
        this.reset();
        this.inc({ transport }, value);
      },
    });
  }
}

/** The crypto worker pool (`worker_threads`), when the master's suite runs on one. */
function registerCryptoPoolSeries(master: Master, registers: Registry[]): void {
  const pool = master.suite instanceof PooledCryptoSuite ? master.suite.pool : undefined;
  if (!pool) return;
  new Gauge({
    name: 'brine_crypto_pool_queued_tasks',
    help: 'Private-key operations waiting for a free crypto worker',
    registers,
    collect() {
      this.set(pool.stats().queued);
    },
  });
  new Gauge({
    name: 'brine_crypto_pool_in_flight_tasks',
    help: 'Private-key operations running on the crypto workers',
    registers,
    collect() {
      this.set(pool.stats().workers.reduce((n, w) => n + w.inFlight, 0));
    },
  });
  new Gauge({
    name: 'brine_crypto_pool_workers',
    help: 'Crypto worker threads that have started',
    registers,
    collect() {
      this.set(pool.stats().workers.filter((w) => w.ready).length);
    },
  });
}

/** A counter whose value lives elsewhere (read at scrape time). */
function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(value);
}
