/** The load generator of the auth family: N minions, each signing in again and again. */
import { performance } from 'node:perf_hooks';
import { loads } from '@brine/contracts';
import { buildSignIn, bytesField, isDict } from '@brine/core';
import type { Role } from '../children/protocol.js';
import { cpuBetween, cpuSnapshot, type CpuUse } from '../cpu.js';
import type { SuiteName, Summary, TransportName } from '../results.js';
import { Samples } from '../stats/index.js';
import { minionSuite, type PemPair } from '../suites.js';
import { connectMinion, type BenchMinion } from './channel-minion.js';

export interface AuthClientSpec {
  transport: TransportName;
  port: number;
  /** The master's suite: the minions use NaCl against NaCl, Salt's suite on node:crypto otherwise. */
  suite: SuiteName;
  minions: number;
  idPrefix: string;
  /** Minion key pairs, generated before timing (shared round-robin by the minions). */
  pems: PemPair[];
  /** ZeroMQ request pipelining (default true; false against a salt-master). */
  pipelining?: boolean;
}

export interface AuthRunResult {
  handshakes: number;
  errors: number;
  seconds: number;
  latencyUs: Summary;
  firstError?: string;
  cpu: CpuUse;
}

/** Runs `attempt` for every worker again and again until `ms` have passed, counting successes. */
async function repeat<W>(
  workers: W[],
  ms: number,
  record: boolean,
  attempt: (worker: W) => Promise<void>,
): Promise<Omit<AuthRunResult, 'cpu'>> {
  const samples = new Samples(record ? 4096 : 16);
  const start = performance.now();
  const end = start + ms;
  let handshakes = 0;
  let errors = 0;
  let last = start;
  let firstError: string | undefined;
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < end && errors < 100) {
        const t0 = performance.now();
        try {
          await attempt(worker);
          handshakes++;
          if (record) samples.push((performance.now() - t0) * 1000);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        last = Math.max(last, performance.now());
      }
    }),
  );
  return {
    handshakes,
    errors,
    seconds: (last - start) / 1000,
    latencyUs: samples.summary(),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** Every minion signs in, forgets its credentials and signs in again until `ms` have passed. */
function storm(minions: BenchMinion[], ms: number, record: boolean): Promise<Omit<AuthRunResult, 'cpu'>> {
  return repeat(minions, ms, record, async (m) => {
    m.auth.invalidate();
    await m.auth.authenticate({ timeout: 120_000 });
  });
}

/**
 * Master capacity: each minion sends the same prepared `_auth` request again and again (with its
 * token, as a minion that has pinned the master key does) and only checks that the reply is an
 * accept signed by the master key. The master does all of its handshake work every time (token
 * decryption, three sealed keys, the signed reply); the load generator skips the minion's three
 * private-key decryptions, so the master, not the generator, sets the pace on a shared machine.
 */
async function flood(minions: BenchMinion[], ms: number, record: boolean): Promise<Omit<AuthRunResult, 'cpu'>> {
  const prepared = await Promise.all(
    minions.map(async (m) => {
      const pinned = await m.store.readFile('minion_master.pub');
      if (pinned === undefined) throw new Error(`${m.id} has not signed in once`);
      const request = await buildSignIn({
        suite: m.suite,
        keys: m.keys,
        id: m.id,
        encAlgo: m.suite.encAlgos[0]!,
        sigAlgo: m.suite.sigAlgos[0]!,
        pinnedMasterPem: pinned,
        clearToken: new TextEncoder().encode(m.suite.generateSessionKey()),
      });
      return { m, envelope: { enc: 'clear', load: request.load, version: 3 }, master: m.suite.importPublicKey(pinned) };
    }),
  );
  return repeat(prepared, ms, record, async ({ m, envelope, master }) => {
    const reply = await m.client.request(envelope, { timeout: 120_000 });
    const signed = isDict(reply) ? bytesField(reply.load) : undefined;
    const sig = isDict(reply) ? bytesField(reply.sig) : undefined;
    if (!signed || !sig || !(await m.suite.verify(master, signed, sig)))
      throw new Error('reply is not signed by the master');
    const inner = loads(signed);
    if (!isDict(inner) || !('aes' in inner) || !('token' in inner))
      throw new Error('reply is not an accept with a token');
  });
}

/** Each minion signs in once (all at once). */
async function signInOnce(minions: BenchMinion[], timeout: number): Promise<Omit<AuthRunResult, 'cpu'>> {
  const samples = new Samples(minions.length);
  const start = performance.now();
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    minions.map(async (m) => {
      m.auth.invalidate();
      const t0 = performance.now();
      try {
        await m.auth.authenticate({ timeout });
        samples.push((performance.now() - t0) * 1000);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }),
  );
  return {
    handshakes: samples.length,
    errors,
    seconds: (performance.now() - start) / 1000,
    latencyUs: samples.summary(),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

export async function startAuthClient(spec: AuthClientSpec): Promise<{ role: Role; info: object }> {
  const suite = minionSuite(spec.suite);
  const pems = spec.pems;
  const minions = await Promise.all(
    Array.from({ length: spec.minions }, (_, i) =>
      connectMinion({
        transport: spec.transport,
        port: spec.port,
        id: `${spec.idPrefix}-${i}`,
        suite,
        pem: pems[i % pems.length]!,
        pipelining: spec.pipelining ?? true,
      }),
    ),
  );
  const timed = async (run: () => Promise<Omit<AuthRunResult, 'cpu'>>): Promise<AuthRunResult> => {
    const before = cpuSnapshot();
    const r = await run();
    return { ...r, cpu: cpuBetween(before, cpuSnapshot()) };
  };
  const role: Role = {
    ops: {
      storm: (args: { ms: number; record?: boolean }) => timed(() => storm(minions, args.ms, args.record ?? true)),
      flood: (args: { ms: number; record?: boolean }) => timed(() => flood(minions, args.ms, args.record ?? true)),
      once: (args?: { timeout?: number }) => timed(() => signInOnce(minions, args?.timeout ?? 120_000)),
    },
    async close() {
      await Promise.all(minions.map((m) => m.close()));
    },
  };
  return { role, info: {} };
}
