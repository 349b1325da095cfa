/**
 * Brine's publish channel for the pub/sub family. The master side is a real PubServerChannel
 * (shared-key encryption, serial, PKCS#1 signature as Salt's `sign_pub_messages` default). The
 * subscribers decode with a real PubChannel each, which verifies every signature against the pinned
 * master key as a minion does; they skip the sign-in (1,000 handshakes would swamp the measurement)
 * and get the shared key and the master's public key from the master process instead.
 */
import { silentLogger, type PublishClient, type TransportFactory } from '@brine/contracts';
import {
  Crypticle,
  MemoryKeyStore,
  PubChannel,
  type AsyncAuth,
  type AuthCredentials,
  type MinionKeys,
} from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { countdown } from '../raw/countdown.js';
import type { PemPair } from '../suites.js';
import { LOOPBACK, portOf } from '../transports.js';
import type { Decoder } from './brine-transport.js';
import { masterParts } from './channel-master.js';
import type { Publisher } from './types.js';

export async function channelPublisher(
  factory: TransportFactory,
  masterPem?: PemPair,
): Promise<Publisher & { sharedKey: string; masterPub: string }> {
  const parts = await masterParts({ suite: 'node', bits: 2048, ...(masterPem ? { masterPem } : {}) });
  const server = factory.publishServer();
  const joined = countdown();
  server.events.on('connection', () => joined.tick());
  const channel = parts.core.publisher(server);
  const address = await channel.listen({ host: LOOPBACK, port: 0 });
  let jid = 0;
  return {
    port: portOf(address),
    sharedKey: parts.core.shared.key,
    masterPub: (await parts.store.readFile('master.pub'))!,
    waitSubscribers: (count, timeout) => joined.reach(count, timeout, `${factory.name} channel subscribers`),
    publish: async (payload) => {
      await channel.publish({ fun: 'bench.publish', jid: String(++jid), tgt: '*', arg: [], data: payload });
    },
    async close() {
      await channel.close();
      await parts.close();
    },
  };
}

/** A decoder per subscriber: its own PubChannel and Crypticle (publish serials are tracked per minion). */
export async function channelDecoder(
  sharedKey: string,
  masterPub: string,
): Promise<(index: number, client: PublishClient) => Decoder> {
  const suite = createNodeSaltSuite();
  const store = new MemoryKeyStore();
  // The pinned master key: PubChannel verifies each publish's signature with it (sign_pub_messages).
  await store.writeFile('minion_master.pub', masterPub);
  return (index, client) => {
    const creds: AuthCredentials = {
      aes: sharedKey,
      session: undefined,
      publishPort: 0,
      masterUri: 'bench',
      crypticle: Crypticle.fromKey(suite, sharedKey),
      sessionCrypticle: undefined,
    };
    // Only `creds` (and `authenticate` on a MAC failure) are used by decode(); `keys` only by
    // presence messages, which these subscribers do not send. `store` holds the pinned master key.
    const auth: Pick<AsyncAuth, 'creds' | 'authenticate'> = { creds, authenticate: async () => creds };
    const channel = new PubChannel(
      { client, auth: auth as AsyncAuth, keys: undefined as unknown as MinionKeys, suite, store, logger: silentLogger },
      { id: `sub-${index}` },
    );
    return async (bytes) => {
      const load = await channel.decode(bytes);
      const data = load?.data;
      return data instanceof Uint8Array ? data : undefined;
    };
  };
}
