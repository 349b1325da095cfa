/** Auth: handshakes per second with N minions signing in at once, per crypto suite and master key size. */
import { BenchChild, stopAll } from '../children/parent.js';
import type { RunContext } from '../context.js';
import { cpuBetween } from '../cpu.js';
import { isNaclSuite, type AuthCell, type SuiteName, type TransportName } from '../results.js';
import type { AuthRunResult } from './auth-roles.js';

interface AuthCase {
  suite: SuiteName;
  bits: number | null;
  minions: number;
  load: 'full' | 'master';
}

export const AUTH_SUITES: SuiteName[] = ['node', 'pooled', 'forge', 'nacl', 'nacl-node'];

/** Salt's default transport when it is in the run, else the first one asked for. */
export function authTransport(transports: TransportName[]): TransportName {
  return transports.includes('zeromq') ? 'zeromq' : transports[0]!;
}

export function authCases(ctx: RunContext): AuthCase[] {
  const { bits, minions, forgeMinions, skip } = ctx.profile.auth;
  const cases: AuthCase[] = [];
  for (const b of bits) {
    for (const suite of AUTH_SUITES) {
      if (isNaclSuite(suite) && b !== bits[0]) continue; // curve keys have one size
      if (skip.includes(`${suite}@${b}`)) continue;
      const n = suite === 'forge' ? forgeMinions : minions;
      cases.push({ suite, bits: isNaclSuite(suite) ? null : b, minions: n, load: 'full' });
      // The master's capacity, for the suites that talk to Salt, at the key size Salt defaults to.
      if ((suite === 'node' || suite === 'pooled') && b === 2048)
        cases.push({ suite, bits: b, minions: n, load: 'master' });
    }
  }
  return cases;
}

async function measure(ctx: RunContext, transport: TransportName, c: AuthCase, index: number): Promise<AuthCell> {
  const { warmupMs, measureMs } = ctx.profile.auth;
  const label = `auth ${c.suite}${c.bits ? `/${c.bits}` : ''}`;
  const keys = await ctx.keyPairs(isNaclSuite(c.suite) ? 'nacl' : 'salt', ctx.profile.auth.keyPool);
  const masterPem = c.bits && c.bits !== 2048 ? (await ctx.keys.get('salt', c.bits, 1))[0]! : keys.master;
  const { child: master, info } = await BenchChild.start<{ port: number }>(
    'reqrep-server',
    { transport, mode: 'channel', suite: c.suite, bits: c.bits ?? 2048, masterPem },
    ctx.child(`${label} master`, 'server'),
  );
  let client: BenchChild | undefined;
  try {
    ({ child: client } = await BenchChild.start(
      'auth-client',
      { transport, port: info.port, suite: c.suite, minions: c.minions, idPrefix: `m${index}`, pems: keys.minions },
      ctx.child(`${label} minions`, 'client'),
    ));
    // Warm-up: every minion signs in once (its key is accepted), then a short storm.
    await client.call('once', undefined, 600_000);
    const op = c.load === 'master' ? 'flood' : 'storm';
    await client.call(op, { ms: warmupMs, record: false }, warmupMs + 600_000);
    const before = await master.cpu();
    const r = await client.call<AuthRunResult>(op, { ms: measureMs }, measureMs + 600_000);
    const server = cpuBetween(before, await master.cpu());
    if (r.handshakes === 0) throw new Error(r.firstError ?? 'no handshake completed');
    const perSecond = r.handshakes / r.seconds;
    return {
      suite: c.suite,
      bits: c.bits,
      transport,
      minions: c.minions,
      load: c.load,
      handshakes: r.handshakes,
      seconds: r.seconds,
      perSecond,
      latencyUs: r.latencyUs,
      serverCpu: server.cores,
      clientCpu: r.cpu.cores,
      perServerCpuSecond: server.cores > 0 ? perSecond / server.cores : 0,
      errors: r.errors,
    };
  } finally {
    await stopAll([client, master]);
  }
}

export async function runAuth(ctx: RunContext): Promise<AuthCell[]> {
  const transport = authTransport(ctx.transports);
  const cases = authCases(ctx);
  ctx.progress.plan(cases.length);
  const cells: AuthCell[] = [];
  for (const [i, c] of cases.entries()) {
    ctx.progress.start(
      `auth ${c.suite}${c.bits ? ` RSA-${c.bits}` : ''}: ${c.minions} minions on ${transport}${c.load === 'master' ? ' (master capacity)' : ''}`,
    );
    try {
      cells.push(await measure(ctx, transport, c, i));
    } catch (error) {
      ctx.error('auth', `${c.suite}${c.bits ? `@${c.bits}` : ''}`, error);
    }
    ctx.progress.step();
  }
  return cells;
}
