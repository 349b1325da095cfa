/** The minion side of Brine's full channel: a RequestClient, a real AsyncAuth sign-in and a ReqChannel. */
import { silentLogger, type CryptoSuite, type RequestClient } from '@brine/contracts';
import {
  composeMinionChannels,
  MemoryKeyStore,
  resolveMinionConfig,
  type AsyncAuth,
  type Dict,
  type KeyStore,
  type MinionKeys,
  type ReqChannel,
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

/** Connects a minion's request client and builds its AsyncAuth and ReqChannel (not signed in yet) through core's composition root. */
export async function connectMinion(spec: MinionSpec): Promise<BenchMinion> {
  const store = new MemoryKeyStore();
  await seedKeyPair(store, 'minion', spec.pem);
  const channels = await composeMinionChannels({
    config: resolveMinionConfig({
      id: spec.id,
      master: LOOPBACK,
      master_port: spec.port,
      // A storm queues sign-ins behind each other: one send of up to a minute, and a failure is
      // reported at once (ERR_AUTH_FAILED) instead of waiting acceptance_wait_time to retry.
      auth_timeout: 60,
      auth_tries: 1,
      auth_retries: 1,
      request_channel_tries: 1,
      zmq_request_pipelining: spec.pipelining ?? true,
    }),
    transport: transportFactory(spec.transport),
    suite: spec.suite,
    keyStore: store,
    logger: silentLogger,
    publish: false,
  });
  const { reqClient: client, auth, req: channel, keys } = channels;
  await client.connect({ host: LOOPBACK, port: spec.port }, { timeout: 30_000 });
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
