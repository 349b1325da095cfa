import type { CryptoSuite, Logger, PublishClient, RequestClient, TransportFactory } from '@brine/contracts';
import { AsyncAuth } from '../auth/async-auth.js';
import { CredentialsCache } from '../auth/credentials-cache.js';
import { MinionKeys } from '../auth/minion-keys.js';
import { PubChannel } from '../channel/pub-channel.js';
import { ReqChannel } from '../channel/req-channel.js';
import { transportOptionsOf } from '../config/resolve.js';
import type { MinionConfig } from '../config/types.js';
import type { KeyStore } from '../keystore/types.js';
import { formatAddress } from '@brine/contracts';

export interface MinionChannelsDeps {
  /** A resolved minion config (`resolveMinionConfig`). */
  config: MinionConfig;
  transport: TransportFactory;
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger: Logger;
  /** Salt's creds_map, shared by minions of one process that sign in to the same master. */
  credentials?: CredentialsCache;
  /** Build the publish side too (default true); load generators that only send requests skip it. */
  publish?: boolean;
}

export interface MinionChannels {
  readonly keys: MinionKeys;
  readonly auth: AsyncAuth;
  readonly reqClient: RequestClient;
  readonly req: ReqChannel;
  readonly pubClient: PublishClient | undefined;
  readonly pub: PubChannel | undefined;
  /** `tcp://host:port` of the master's request server. */
  readonly masterUri: string;
}

/**
 * The one composition root of a minion's channels, used by `Minion`, the bench and the tests:
 * loads (or creates) the minion keys and wires AsyncAuth, the request channel and the publish
 * channel over the configured transport with the config's options. Nothing connects yet.
 */
export async function composeMinionChannels(deps: MinionChannelsDeps): Promise<MinionChannels> {
  const { config, transport, suite, keyStore: store, logger } = deps;
  const masterUri = formatAddress({ host: config.master, port: config.master_port });
  const keys = await MinionKeys.load(store, suite, { keysize: config.keysize, logger });
  const cached = deps.credentials?.get(CredentialsCache.key(store.location, config.id, masterUri));
  const where = `${store.location}, ${config.id}, ${masterUri}`;
  logger.debug(`${cached ? 'Re-using' : 'Initializing new'} AsyncAuth for (${where})`);
  logger.debug(`Initializing new Async${transport.displayName ?? transport.name}ReqChannel for (${where}, 'clear')`);
  const options = transportOptionsOf(config, transport, { logger: logger.child(`transport.${transport.name}`) });
  const reqClient = transport.requestClient(options);
  const auth = new AsyncAuth(
    { suite, store, keys, send: (envelope, o) => reqClient.request(envelope, o), logger: logger.child('crypt') },
    {
      id: config.id,
      masterUri,
      acceptanceWaitTime: config.acceptance_wait_time,
      acceptanceWaitTimeMax: config.acceptance_wait_time_max,
      authTries: config.auth_tries,
      authTimeout: config.auth_timeout,
      authRetries: config.auth_retries,
      rejectedRetry: config.rejected_retry,
      ...(config.encryption_algorithm ? { encryptionAlgorithm: config.encryption_algorithm } : {}),
      ...(config.signing_algorithm ? { signingAlgorithm: config.signing_algorithm } : {}),
      verifyMasterPubkeySign: config.verify_master_pubkey_sign,
      alwaysVerifySignature: config.always_verify_signature,
      masterSignKeyName: config.master_sign_key_name,
      ...(config.master_finger ? { masterFinger: config.master_finger } : {}),
      version: config.auth_protocol_version,
      ...(deps.credentials ? { credentialsCache: deps.credentials } : {}),
    },
  );
  const req = new ReqChannel(
    {
      client: reqClient,
      auth,
      keys,
      suite,
      logger: logger.child('channel'),
      masterKey: async () => {
        const pem = await store.readFile('minion_master.pub');
        return pem === undefined ? undefined : suite.importPublicKey(pem);
      },
    },
    {
      id: config.id,
      timeout: config.request_channel_timeout,
      tries: config.request_channel_tries,
      version: config.auth_protocol_version,
      encryptionAlgorithm: config.encryption_algorithm,
      signingAlgorithm: config.signing_algorithm,
    },
  );
  let pubClient: PublishClient | undefined;
  let pub: PubChannel | undefined;
  if (deps.publish !== false) {
    pubClient = transport.publishClient(options);
    pub = new PubChannel(
      { client: pubClient, auth, keys, suite, store, logger: logger.child('channel') },
      { id: config.id, signPubMessages: config.sign_pub_messages, version: config.auth_protocol_version },
    );
  }
  return { keys, auth, reqClient, req, pubClient, pub, masterUri };
}
