import type { MasterKeys } from '../auth/master-keys.js';
import type { SharedKey } from '../auth/shared-key.js';
import {
  type CryptoSuite,
  AuthError,
  ErrorCodes,
  ProtocolError,
  type Logger,
  dumps,
  type Address,
  type PeerInfo,
  type PublishServer,
  type AbortOptions,
} from '@brine/contracts';
import { readEnvelope } from '../protocol/envelope.js';
import { bytesField, isDict, type Dict } from '../protocol/values.js';
import type { TokenVerifier } from './token-verifier.js';

export interface PubServerChannelOptions {
  /** Sign every publish with the master key (Salt master `sign_pub_messages`, default true). */
  signPubMessages?: boolean;
  /** `publish_signing_algorithm` (Salt 3008: PKCS1v15-SHA1). */
  signingAlgorithm?: string;
}

export interface PubServerChannelDeps {
  /** The transport's publish server this channel publishes through. */
  transport: PublishServer;
  suite: CryptoSuite;
  masterKeys: MasterKeys;
  shared: SharedKey;
  tokens: TokenVerifier;
  logger: Logger;
}

export interface PublishJobOptions extends AbortOptions {
  /** Minion ids the job targets, when the master already knows them (list/glob/pcre); undefined = broadcast. */
  topics?: readonly string[];
}

/**
 * The master's publish channel (Salt's `PubServerChannel.publish` + `wrap_payload`): each load gets
 * the next serial, is encrypted with the shared AES key, signed when `sign_pub_messages` is on, and
 * handed to the transport as `dumps({enc: "aes", load, [sig_algo, sig]})`. It also verifies
 * presence messages (TCP `send_id`) so targeted publishes reach the right connections.
 */
export class PubServerChannel {
  private readonly sign: boolean;
  private readonly sigAlgo: string;

  private readonly transport: PublishServer;
  private readonly suite: CryptoSuite;
  private readonly masterKeys: MasterKeys;
  private readonly shared: SharedKey;
  private readonly tokens: TokenVerifier;
  private readonly logger: Logger;

  /** Subscribers connected to the publish server now (the transport's count). */
  get subscriberCount(): number {
    return this.transport.subscriberCount;
  }

  /** Resolves once at least `n` subscribers are connected (the transport's `connection` events). */
  async waitForSubscribers(n: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    while (this.transport.subscriberCount < n) {
      await this.transport.events.once('connection', options.signal ? { signal: options.signal } : {});
    }
  }

  constructor(deps: PubServerChannelDeps, options: PubServerChannelOptions = {}) {
    ({ transport: this.transport, suite: this.suite, masterKeys: this.masterKeys } = deps);
    ({ shared: this.shared, tokens: this.tokens, logger: this.logger } = deps);
    this.sign = options.signPubMessages ?? true;
    this.sigAlgo = options.signingAlgorithm ?? deps.suite.sigAlgos[0]!;
  }

  listen(address: Address, options: AbortOptions = {}): Promise<Address> {
    return this.transport.listen(address, { ...options, presence: (message, peer) => this.presence(message, peer) });
  }

  /**
   * Encrypts, signs and publishes a job load. Resolves once queued for every subscriber, with the
   * size of the payload handed to the transport.
   */
  async publish(load: Dict, options: PublishJobOptions = {}): Promise<{ bytes: number }> {
    const payload: Dict = {
      enc: 'aes',
      load: this.shared.crypticle.dumps({ ...load, serial: this.shared.nextSerial() }),
    };
    if (this.sign) {
      payload.sig_algo = this.sigAlgo;
      payload.sig = await this.suite.sign(this.masterKeys.privateKey, payload.load as Uint8Array, {
        algo: this.sigAlgo,
      });
    }
    const publishOptions: { topics?: readonly string[]; signal?: AbortSignal; timeout?: number } = {};
    if (options.topics) publishOptions.topics = options.topics;
    if (options.signal) publishOptions.signal = options.signal;
    if (options.timeout !== undefined) publishOptions.timeout = options.timeout;
    const bytes = dumps(payload);
    await this.transport.publish(bytes, publishOptions);
    return { bytes: bytes.length };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** Salt's presence check for TCP `send_id`: decrypt `{id, tok}` with the shared key and verify the token. */
  private async presence(message: unknown, peer: PeerInfo): Promise<string | undefined> {
    const envelope = readEnvelope(message);
    const blob = bytesField(envelope.load);
    if (envelope.enc !== 'aes' || !blob)
      throw new ProtocolError(ErrorCodes.BAD_LOAD, 'presence message is not encrypted');
    const load = this.shared.crypticle.loads(blob);
    if (!isDict(load) || typeof load.id !== 'string')
      throw new ProtocolError(ErrorCodes.BAD_LOAD, 'presence load has no id');
    const tok = bytesField(load.tok);
    if (!tok) throw new AuthError(ErrorCodes.TOKEN_INVALID, `presence from ${load.id} has no token`);
    await this.tokens.verify(load.id, tok);
    this.logger.debug(`Publish subscriber ${peer.remoteAddress ?? peer.id} is minion ${load.id}`);
    return load.id;
  }
}
