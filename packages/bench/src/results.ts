/** The shape of one benchmark run: what `runBench` returns and what `--json` writes. */

import { BUILTIN_TRANSPORT_NAMES, type BuiltinTransportName } from '@brine/core/node';

/** The transports the bench compares: the built-ins of core's catalogue (each has a raw-library baseline). */
export const TRANSPORTS: readonly BuiltinTransportName[] = BUILTIN_TRANSPORT_NAMES;
export type TransportName = BuiltinTransportName;

export const FAMILIES = ['reqrep', 'pubsub', 'auth', 'salt'] as const;
export type Family = (typeof FAMILIES)[number];

/** `raw`: the library with no Brine code; `transport`: Brine's bare transport; `channel`: the full AES channel. */
export type Mode = 'raw' | 'transport' | 'channel';

/** Latency percentiles in microseconds. */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Ratio {
  /** Brine throughput ÷ raw throughput (higher is better; 1 = as fast as the raw library). */
  throughput: number;
  /** Brine latency ÷ raw latency at the same percentile (lower is better). */
  latency: number;
}

export interface ReqRepCell {
  transport: TransportName;
  mode: Mode;
  /** Payload bytes per request (and per reply: the server echoes it). */
  size: number;
  /** Requests kept outstanding by the load generator. */
  inflight: number;
  requests: number;
  seconds: number;
  /** Completed round trips per second. */
  throughput: number;
  latencyUs: Summary;
  /** CPU cores used (CPU time ÷ wall time) by the load generator and by the server process. */
  clientCpu: number;
  serverCpu: number;
  /** Event-loop utilisation of the load generator (1 = saturated: its numbers are a floor). */
  clientElu: number;
  /**
   * CPU time per round trip in each process (µs): the figure least moved by other load on the
   * machine, and what bounds throughput once the cores are busy.
   */
  clientCpuUsPerRequest: number;
  serverCpuUsPerRequest: number;
  errors: number;
  /** Against the raw library on the same transport, size and in-flight count (p50 for latency). */
  vsRaw?: Ratio;
}

export interface PubSubCell {
  transport: TransportName;
  mode: Mode;
  subscribers: number;
  subscriberProcesses: number;
  size: number;
  /** Messages published. */
  messages: number;
  /** From the first publish to the last delivery to the last subscriber. */
  seconds: number;
  /** Messages published per second, counted until every subscriber had all of them. */
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  /** Publish-to-delivery latency (timestamp carried in the payload). */
  latencyUs: Summary;
  delivered: number;
  expected: number;
  complete: boolean;
  publisherCpu: number;
  /** Sum over the subscriber processes. */
  subscriberCpu: number;
  /** msgs/s ratio and p99 latency ratio against the raw library. */
  vsRaw?: Ratio;
}

/** `nacl` is the NaCl suite on tweetnacl (pure JS), `nacl-node` the same suite with its curve operations on node:crypto. */
export type SuiteName = 'node' | 'pooled' | 'forge' | 'nacl' | 'nacl-node';

export const isNaclSuite = (suite: SuiteName): boolean => suite === 'nacl' || suite === 'nacl-node';

export interface AuthCell {
  suite: SuiteName;
  /** Master RSA key size (null for NaCl curve keys). */
  bits: number | null;
  transport: TransportName;
  /** Minions signing in at once (each loops: sign in, forget the session, sign in again). */
  minions: number;
  /**
   * `full`: every minion does its whole side of the handshake (three private-key decryptions), on
   * the same cores as the master. `master`: minions replay a prepared `_auth` and only check the
   * signed accept, so the figure is the master's capacity.
   */
  load: 'full' | 'master';
  handshakes: number;
  seconds: number;
  perSecond: number;
  /** One sign-in, as the minion sees it. */
  latencyUs: Summary;
  serverCpu: number;
  clientCpu: number;
  /** Handshakes per CPU-second of the master process: its capacity when it has the cores to itself. */
  perServerCpuSecond: number;
  errors: number;
}

/** `auth`: full minions sign in again and again; `auth-capacity`: they replay a prepared `_auth` (the master's capacity). */
export type SaltScenario = 'auth' | 'auth-capacity' | 'requests' | 'publish';

export const SALT_SCENARIO_LABELS: Record<SaltScenario, string> = {
  auth: 'auth (full minions)',
  'auth-capacity': 'auth (replays _auth)',
  requests: 'requests',
  publish: 'publish',
};

export interface SaltSide {
  value: number;
  seconds: number;
  count: number;
  complete: boolean;
  serverCpu?: number;
  detail?: string;
}

export interface SaltCell {
  scenario: SaltScenario;
  transport: TransportName;
  minions: number;
  unit: string;
  brine: SaltSide;
  salt: SaltSide;
  /** Brine ÷ Salt. */
  ratio: number;
}

export interface SaltReport {
  available: boolean;
  venv?: string;
  version?: string;
  workerThreads?: number;
  skipped?: string;
  cells: SaltCell[];
}

export interface MachineInfo {
  hostname: string;
  platform: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  availableParallelism: number;
  memoryGiB: number;
  loadAverage: [number, number, number];
  node: string;
  v8: string;
  openssl: string;
  libzmq?: string;
  zeromqJs?: string;
  ws?: string;
  pinning: string;
}

export interface TargetCheck {
  id: string;
  description: string;
  /** null when the run did not measure it. */
  met: boolean | null;
  detail: string;
}

export interface BenchErrorRecord {
  family: Family;
  case: string;
  code: string;
  message: string;
}

export interface BenchResults {
  schema: 'brine-bench/1';
  startedAt: string;
  finishedAt: string;
  seconds: number;
  quick: boolean;
  families: Family[];
  transports: TransportName[];
  machine: MachineInfo;
  /** Warm-up and measurement lengths used (ms), for the report's method line. */
  timing: { warmupMs: number; measureMs: number; authMs: number };
  reqrep: ReqRepCell[];
  pubsub: PubSubCell[];
  auth: AuthCell[];
  salt: SaltReport;
  targets: TargetCheck[];
  errors: BenchErrorRecord[];
  /** Wall time of each family that ran, in seconds (absent in files written before it was recorded). */
  familySeconds?: Partial<Record<Family, number>>;
}
