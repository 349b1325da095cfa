/** The minion side of Brine's full channel: a RequestClient, a real AsyncAuth sign-in and a ReqChannel. */
import {
  AsyncAuth,
  MemoryKeyStore,
  MinionKeys,
  ReqChannel,
  formatAddress,
  silentLogger,
  type CryptoSuite,
  type Dict,
  type KeyStore,
  type RequestClient,
} from '@brine/core';
import type { TransportName } from '../results.js';
import { seedKeyPair, type PemPair } from '../suites.js';
import { LOOPBACK, transportFactory } from '../transports.js';
import type { Requester } from './types.js';

export interface BenchMinion {
  id: string;
  client: RequestClient;
  auth: AsyncAuth;
  channel: ReqChannel;
  keys: MinionKeys;
  store: KeyStore;
  suite: CryptoSuite;
  close(): Promise<void>;
}

export interface MinionSpec {
  transport: TransportName;
  port: number;
  id: string;
  suite: CryptoSuite;
  pem: PemPair;
  /** ZeroMQ request pipelining (Brine masters); false for a salt-master. Default true. */
  pipelining?: boolean;
}

/** Connects a minion's request client and builds its AsyncAuth and ReqChannel (not signed in yet). */
export async function connectMinion(spec: MinionSpec): Promise<BenchMinion> {
  const store = new MemoryKeyStore();
  await seedKeyPair(store, 'minion', spec.pem);
  const keys = await MinionKeys.load(store, spec.suite);
  const client = transportFactory(spec.transport, spec.pipelining ?? true).requestClient();
  const address = { host: LOOPBACK, port: spec.port };
  await client.connect(address, { timeout: 30_000 });
  const auth = new AsyncAuth(
    spec.suite,
    store,
    keys,
    (envelope, options) => client.request(envelope, options),
    // A storm queues sign-ins behind each other: one send of up to a minute, and a failure is
    // reported at once (ERR_AUTH_FAILED) instead of waiting acceptance_wait_time to retry.
    { id: spec.id, masterUri: formatAddress(address), authTimeout: 60, authTries: 1, authRetries: 1 },
    silentLogger,
  );
  const channel = new ReqChannel(client, auth, keys, spec.suite, { id: spec.id, tries: 1 }, silentLogger);
  return {
    id: spec.id,
    client,
    auth,
    channel,
    keys,
    store,
    suite: spec.suite,
    async close() {
      auth.close();
      await client.close();
    },
  };
}

/** What a channel request carries: the bench command, or Salt's `_minion_event` (for masters without `bench`). */
export type ChannelCommand = 'bench' | '_minion_event';

function loadFor(command: ChannelCommand, id: string, payload: Uint8Array): Dict {
  if (command === 'bench') return { cmd: 'bench', data: payload };
  return { cmd: '_minion_event', id, tag: `salt/minion/${id}/bench`, data: { payload }, pretag: null };
}

/** Sends through the minions' channels in turn. */
export function channelRequester(minions: BenchMinion[], command: ChannelCommand): Requester {
  let next = 0;
  return {
    send(payload, done) {
      const m = minions[next]!;
      next = (next + 1) % minions.length;
      m.channel.send(loadFor(command, m.id, payload)).then(() => done(), done);
    },
    async close() {
      await Promise.all(minions.map((m) => m.close()));
    },
  };
}
