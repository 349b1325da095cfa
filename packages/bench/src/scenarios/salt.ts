/**
 * Against a real salt-master (when a Salt venv exists): the same Brine minions and load against
 * salt-master and against a Brine master, shown as a ratio. Scenarios: an auth storm, encrypted
 * requests (`_minion_event`), and publish to N minions collecting every return.
 */
import { AuthError, ErrorCodes } from '@brine/contracts';
import { BenchChild } from '../children/parent.js';
import type { RunContext } from '../context.js';
import { cpuBetween } from '../cpu.js';
import type { SaltCell, SaltReport, SaltScenario, SaltSide, TransportName } from '../results.js';
import type { JobsResult } from '../salt/local-client.js';
import { saltJobs } from '../salt/local-client.js';
import { SALT_DEFAULT_WORKER_THREADS, startSaltMaster, type SaltMaster } from '../salt/master.js';
import { groupCores, groupCpu } from '../salt/proc-cpu.js';
import { findSaltVenv, type SaltVenv } from '../salt/venv.js';
import type { AuthRunResult } from './auth-roles.js';
import type { CellResult } from './reqrep-roles.js';

interface Target {
  kind: 'salt' | 'brine';
  retPort: number;
  publishPort: number;
  /** Reads the master's CPU (cores) over a measurement. */
  cpu<T>(fn: () => Promise<T>): Promise<{ value: T; cores: number }>;
  jobs(tgt: string, jobs: number, expected: number): Promise<JobsResult>;
  stop(): Promise<void>;
}

async function saltTarget(venv: SaltVenv, transport: TransportName, workerThreads: number): Promise<Target> {
  const master: SaltMaster = await startSaltMaster(venv, transport, workerThreads);
  return {
    kind: 'salt',
    retPort: master.retPort,
    publishPort: master.publishPort,
    async cpu(fn) {
      const before = groupCpu(master.pid);
      const value = await fn();
      return { value, cores: groupCores(before, groupCpu(master.pid)) };
    },
    jobs: (tgt, jobs, expected) => saltJobs(venv, master.confFile, tgt, jobs, expected),
    stop: () => master.stop(),
  };
}

async function brineTarget(ctx: RunContext, transport: TransportName): Promise<Target> {
  const { child, info } = await BenchChild.start<{ retPort: number; publishPort: number }>(
    'brine-master',
    { transport },
    ctx.child('brine master', 'server'),
  );
  return {
    kind: 'brine',
    ...info,
    async cpu(fn) {
      const before = await child.cpu();
      const value = await fn();
      return { value, cores: cpuBetween(before, await child.cpu()).cores };
    },
    jobs: (tgt, jobs, expected) =>
      child.call<JobsResult>('jobs', { tgt, jobs, expected, timeoutSeconds: 30 }, (jobs + 2) * 40_000),
    stop: () => child.stop(),
  };
}

/**
 * An auth storm from Brine minions: `storm` does each minion's whole side of every handshake (on the
 * same cores as the master), `flood` replays a prepared `_auth` and checks the signed accept (the
 * master does all of its work every time; the generator stays light): the master's capacity.
 */
const authSide =
  (op: 'storm' | 'flood') =>
  (ctx: RunContext, t: Target, transport: TransportName): Promise<SaltSide> =>
    runAuthSide(ctx, t, transport, op);

async function runAuthSide(
  ctx: RunContext,
  t: Target,
  transport: TransportName,
  op: 'storm' | 'flood',
): Promise<SaltSide> {
  const { authMinions, authMs } = ctx.profile.salt;
  const { minions: pems } = await ctx.keyPairs('salt', ctx.profile.auth.keyPool);
  const { child } = await BenchChild.start(
    'auth-client',
    {
      transport,
      port: t.retPort,
      suite: 'node',
      minions: authMinions,
      idPrefix: `auth-${t.kind}`,
      pems,
      pipelining: false,
    },
    ctx.child(`salt auth minions (${t.kind})`, 'client'),
  );
  try {
    // Keys accepted, sessions warm; a master that does not answer fails here, in 30 s.
    const first = await child.call<AuthRunResult>('once', { timeout: 30_000 }, 60_000);
    if (first.handshakes === 0) throw new AuthError(ErrorCodes.AUTH_FAILED, first.firstError ?? 'no minion signed in');
    const { value: r, cores } = await t.cpu(() => child.call<AuthRunResult>(op, { ms: authMs }, authMs + 600_000));
    return {
      value: r.handshakes / r.seconds,
      seconds: r.seconds,
      count: r.handshakes,
      complete: r.errors === 0,
      serverCpu: cores,
      ...(r.firstError ? { detail: r.firstError } : {}),
    };
  } finally {
    await child.stop();
  }
}

async function requestSide(ctx: RunContext, t: Target, transport: TransportName): Promise<SaltSide> {
  const { requestMinions, requestInflight, requestMs } = ctx.profile.salt;
  const spec = {
    transport,
    mode: 'channel',
    port: t.retPort,
    minions: requestMinions,
    idPrefix: `req-${t.kind}`,
    command: '_minion_event',
    pipelining: false,
    pems: (await ctx.keyPairs('salt', 4)).minions,
  };
  const { child } = await BenchChild.start(
    'reqrep-client',
    spec,
    ctx.child(`salt request minions (${t.kind})`, 'client'),
  );
  try {
    const args = { size: 64, inflight: requestInflight };
    await child.call('warm', { ...args, ms: Math.min(500, requestMs / 2) }, 600_000);
    const { value: r, cores } = await t.cpu(() =>
      child.call<CellResult>('measure', { ...args, ms: requestMs }, requestMs + 600_000),
    );
    return {
      value: r.requests / r.seconds,
      seconds: r.seconds,
      count: r.requests,
      complete: r.errors === 0,
      serverCpu: cores,
      detail: `p50 ${(r.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms`,
    };
  } finally {
    await child.stop();
  }
}

async function publishSide(ctx: RunContext, t: Target, transport: TransportName): Promise<SaltSide> {
  const { publishMinions, publishJobs } = ctx.profile.salt;
  const { minions: pems } = await ctx.keyPairs('salt', ctx.profile.auth.keyPool);
  const spec = {
    transport,
    retPort: t.retPort,
    publishPort: t.publishPort,
    count: publishMinions,
    idPrefix: 'pub',
    pems,
  };
  const { child } = await BenchChild.start('minions', spec, {
    ...ctx.child(`salt publish minions (${t.kind})`, 'client'),
    startTimeout: 300_000,
  });
  try {
    const { value: r, cores } = await t.cpu(() => t.jobs('pub-*', publishJobs, publishMinions));
    return {
      value: r.jobs / r.seconds,
      seconds: r.seconds,
      count: r.returns,
      complete: r.complete,
      serverCpu: cores,
      detail: `${Math.round(r.returns / r.seconds)} returns/s`,
    };
  } finally {
    await child.stop();
  }
}

const SCENARIOS: Array<{
  scenario: SaltScenario;
  unit: string;
  minions: (ctx: RunContext) => number;
  run: (ctx: RunContext, t: Target, transport: TransportName) => Promise<SaltSide>;
}> = [
  { scenario: 'auth', unit: 'handshakes/s', minions: (c) => c.profile.salt.authMinions, run: authSide('storm') },
  {
    scenario: 'auth-capacity',
    unit: 'handshakes/s',
    minions: (c) => c.profile.salt.authMinions,
    run: authSide('flood'),
  },
  { scenario: 'requests', unit: 'requests/s', minions: (c) => c.profile.salt.requestMinions, run: requestSide },
  { scenario: 'publish', unit: 'jobs/s', minions: (c) => c.profile.salt.publishMinions, run: publishSide },
];

/** The transport for the Salt comparison: Salt's default (zeromq) when it is in the run, else the first one. */
export function saltTransport(transports: TransportName[], asked?: TransportName): TransportName {
  return asked ?? (transports.includes('zeromq') ? 'zeromq' : transports[0]!);
}

export async function runSalt(
  ctx: RunContext,
  repoRoot: string,
  explicitVenv?: string,
  asked?: TransportName,
): Promise<SaltReport> {
  const venv = findSaltVenv(repoRoot, explicitVenv);
  if (!venv) {
    const skipped = 'no Salt venv (.venv/salt-3008 or /tmp/saltvenv/v3008; see scripts/setup-salt.sh)';
    ctx.progress.note(`salt: skipped, ${skipped}`);
    return { available: false, skipped, cells: [] };
  }
  const transport = saltTransport(ctx.transports, asked);
  // Salt's own default: what a salt-master is usually run with.
  const workerThreads = SALT_DEFAULT_WORKER_THREADS;
  ctx.progress.plan(SCENARIOS.length * 2 + 1);
  const report: SaltReport = { available: true, venv: venv.path, version: venv.version, workerThreads, cells: [] };
  let salt: Target | undefined;
  let brine: Target | undefined;
  try {
    ctx.progress.start(`salt: starting salt-master ${venv.version} and a Brine master (${transport})`);
    [salt, brine] = await Promise.all([saltTarget(venv, transport, workerThreads), brineTarget(ctx, transport)]);
    ctx.progress.step();
    for (const s of SCENARIOS) {
      const sides: Partial<Record<'salt' | 'brine', SaltSide>> = {};
      for (const t of [salt, brine]) {
        ctx.progress.start(
          `salt: ${s.scenario} against ${t.kind === 'salt' ? `salt-master ${venv.version}` : 'Brine'}`,
        );
        try {
          sides[t.kind] = await s.run(ctx, t, transport);
        } catch (error) {
          ctx.error('salt', `${s.scenario} (${t.kind})`, error);
        }
        ctx.progress.step();
      }
      if (sides.salt && sides.brine) {
        const cell: SaltCell = {
          scenario: s.scenario,
          transport,
          minions: s.minions(ctx),
          unit: s.unit,
          brine: sides.brine,
          salt: sides.salt,
          ratio: sides.salt.value > 0 ? sides.brine.value / sides.salt.value : 0,
        };
        report.cells.push(cell);
      }
    }
  } catch (error) {
    ctx.error('salt', 'setup', error);
  } finally {
    await Promise.allSettled([salt?.stop(), brine?.stop()]);
  }
  return report;
}
