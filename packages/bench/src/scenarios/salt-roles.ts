/** The processes of the Salt comparison: a Brine master like `brine master` runs, and a crowd of Brine minions. */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@brine/contracts';
import { MemoryKeyStore, createMaster, createMinion, type Minion } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import type { Role } from '../children/protocol.js';
import type { TransportName } from '../results.js';
import type { JobsResult } from '../salt/local-client.js';
import { masterSuite, seedKeyPair, type PemPair } from '../suites.js';
import { LOOPBACK, allTransportFactories, portOf } from '../transports.js';

export interface BrineMasterSpec {
  transport: TransportName;
}

export interface JobsArgs {
  tgt: string;
  jobs: number;
  expected: number;
  timeoutSeconds: number;
}

/**
 * A full Brine Master (its own commands, job tracking, events) with keys on disk, as Salt keeps them,
 * and the crypto `brine master` uses by default on a multi-core machine: node:crypto with the
 * handshake's private-key operations on a worker pool (`worker_threads: -1`).
 */
export async function startBrineMaster(spec: BrineMasterSpec): Promise<{ role: Role; info: object }> {
  const pki = mkdtempSync(join(tmpdir(), 'brine-bench-master-'));
  const crypto = await masterSuite(availableParallelism() >= 2 ? 'pooled' : 'node');
  const master = createMaster(
    { transport: spec.transport, interface: LOOPBACK, publish_port: 0, ret_port: 0, auto_accept: true },
    {
      transports: allTransportFactories(false),
      suite: crypto.suite,
      keyStore: new FsKeyStore(pki),
      logger: silentLogger,
    },
  );
  const addresses = await master.start();
  const run = async (args: JobsArgs): Promise<JobsResult> => {
    await master.run(args.tgt, 'test.ping', [], { timeoutSeconds: args.timeoutSeconds }); // warm-up
    let returns = 0;
    let complete = true;
    const start = performance.now();
    for (let i = 0; i < args.jobs; i++) {
      const r = await master.run(args.tgt, 'test.ping', [], { timeoutSeconds: args.timeoutSeconds });
      const n = Object.keys(r.returns).length;
      returns += n;
      complete &&= n >= args.expected;
    }
    return { seconds: (performance.now() - start) / 1000, jobs: args.jobs, returns, complete };
  };
  const role: Role = {
    ops: { jobs: run },
    async close() {
      await master.close();
      await crypto.close();
      rmSync(pki, { recursive: true, force: true });
    },
  };
  return {
    role,
    info: { retPort: portOf(addresses.request), publishPort: portOf(addresses.publish) },
  };
}

export interface MinionsSpec {
  transport: TransportName;
  retPort: number;
  publishPort: number;
  count: number;
  idPrefix: string;
  pems: PemPair[];
}

/** `count` Brine minions (test.ping built in) signed in to a master, Brine or Salt. */
export async function startMinions(spec: MinionsSpec): Promise<{ role: Role; info: object }> {
  const suite = createNodeSaltSuite();
  const { pems } = spec;
  const minions: Minion[] = [];
  const startOne = async (i: number): Promise<void> => {
    const store = new MemoryKeyStore();
    await seedKeyPair(store, 'minion', pems[i % pems.length]!);
    const minion = createMinion(
      {
        id: `${spec.idPrefix}-${i}`,
        transport: spec.transport,
        master: LOOPBACK,
        master_port: spec.retPort,
        publish_port: spec.publishPort,
        acceptance_wait_time: 1,
        auth_timeout: 60,
      },
      // Minions as a real deployment against salt-master runs them: the transports' defaults.
      { transports: allTransportFactories(false), suite, keyStore: store, logger: silentLogger },
    );
    minions.push(minion);
    await minion.start({ timeout: 120_000 });
  };
  try {
    await Promise.all(Array.from({ length: spec.count }, (_, i) => startOne(i)));
  } catch (error) {
    await Promise.allSettled(minions.map((m) => m.close()));
    throw error;
  }
  const role: Role = {
    ops: {},
    async close() {
      await Promise.allSettled(minions.map((m) => m.close()));
    },
  };
  return { role, info: {} };
}
