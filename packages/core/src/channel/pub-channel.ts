import type { AsyncAuth } from '../auth/async-auth.js';
import type { AuthCredentials } from '../auth/credentials.js';
import type { MinionKeys } from '../auth/minion-keys.js';
import {
  type CryptoSuite,
  AuthError,
  ErrorCodes,
  ProtocolError,
  toBrineError,
  type BrineError,
  type Logger,
  loads,
  type Address,
  type PublishClient,
  type AbortOptions,
  TypedEmitter,
} from '@brine/contracts';
import type { KeyStore } from '../keystore/types.js';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import { bytesField, isDict, type Dict } from '../protocol/values.js';

export interface PubChannelOptions {
  id: string;
  /**
   * Require the master's signature on every publish (minion `sign_pub_messages`; default true,
   * Salt's is false). A publish that carries a signature is verified whatever this says.
   */
  signPubMessages?: boolean;
  version?: number;
}

export interface PubChannelEvents {
  /** A publish that was dropped (bad signature, replay, undecryptable after re-auth, malformed). */
  dropped: [error: BrineError];
  /** Reconnected to the publisher and signed in again (once per reconnect, whatever the transport). */
  reconnected: [];
  /** A reconnect whose sign-in failed; the channel keeps its old credentials and tries on the next one. */
  reconnectFailed: [error: BrineError];
}

export interface PubChannelDeps {
  client: PublishClient;
  auth: AsyncAuth;
  keys: MinionKeys;
  suite: CryptoSuite;
  store: KeyStore;
  logger: Logger;
}

/**
 * The minion's publish channel (Salt's `AsyncPubChannel`): connects the publish client with this
 * minion's identity and presence message, then yields decrypted job loads. A publish that fails
 * the MAC means the master rotated its key: re-authenticate once and retry; a replayed serial or a
 * bad signature is dropped and reported.
 */
export class PubChannel implements AsyncIterable<Dict> {
  readonly events = new TypedEmitter<PubChannelEvents>();
  /** Set when the connection drops: the master may have restarted with a new AES key. */
  private stale = false;
  private renewing: Promise<AuthCredentials> | undefined;
  private everConnected = false;

  private readonly client: PublishClient;
  private readonly auth: AsyncAuth;
  private readonly keys: MinionKeys;
  private readonly suite: CryptoSuite;
  private readonly store: KeyStore;
  private readonly logger: Logger;

  constructor(
    deps: PubChannelDeps,
    private readonly options: PubChannelOptions,
  ) {
    ({ client: this.client, auth: this.auth, keys: this.keys } = deps);
    ({ suite: this.suite, store: this.store, logger: this.logger } = deps);
  }

  /**
   * Connects the publish client. This channel is the one owner of re-authentication after a
   * publish reconnect: the presence builder (transports that send one build it before or after
   * their `connect` event) and the `connect` event share one sign-in per reconnect.
   */
  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    this.client.events.on('disconnect', () => {
      this.stale = true;
    });
    this.client.events.on('connect', () => {
      if (!this.everConnected) {
        this.everConnected = true;
        return;
      }
      this.currentCredentials().then(
        () => this.events.emit('reconnected'),
        (error: unknown) => this.events.emit('reconnectFailed', toBrineError(error, ErrorCodes.AUTH_FAILED)),
      );
    });
    await this.client.connect(address, {
      ...options,
      identity: this.options.id,
      presence: () => this.presenceMessage(),
    });
  }

  /** Salt's `send_id`: `{enc: "aes", load: Crypticle(aes).dumps({id, tok}), version}`. */
  private async presenceMessage(): Promise<Dict> {
    const creds = await this.currentCredentials();
    const load = creds.crypticle.dumps({ id: this.options.id, tok: await this.keys.token() });
    return { enc: 'aes', load, version: this.options.version ?? PROTOCOL_VERSION };
  }

  /** The credentials to use now: after a drop, one fresh sign-in shared by everyone who asks. */
  private currentCredentials(): Promise<AuthCredentials> {
    if (this.renewing) return this.renewing;
    if (!this.stale && this.auth.creds) return Promise.resolve(this.auth.creds);
    this.stale = false;
    this.renewing = this.auth.authenticate().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Dict> {
    for await (const bytes of this.client) {
      const load = await this.decode(bytes);
      if (load) yield load;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Decodes one publish; undefined (and a `dropped` event) when it must be ignored. */
  async decode(bytes: Uint8Array): Promise<Dict | undefined> {
    try {
      const payload = loads(bytes);
      if (!isDict(payload) || payload.enc !== 'aes')
        throw new ProtocolError(ErrorCodes.BAD_LOAD, 'publish is not an aes payload');
      const blob = bytesField(payload.load);
      if (!blob) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'publish load is not bytes');
      // Verified before decryption: a forged publish never reaches the serial check, so it cannot
      // move the serial (a forged serial 2^52 would otherwise blind the minion).
      if ((this.options.signPubMessages ?? true) || payload.sig !== undefined)
        await this.verifySignature(payload, blob);
      const load = await this.decrypt(blob);
      if (!isDict(load)) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'publish load is not a dict');
      return load;
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.BAD_LOAD);
      if (typed.code === ErrorCodes.REPLAY)
        this.logger.critical(`Dropping a replayed publish: ${typed.message}`, typed);
      else this.logger.error(`Dropping a publish: ${typed.message}`, typed);
      this.events.emit('dropped', typed);
      return undefined;
    }
  }

  private async decrypt(blob: Uint8Array): Promise<unknown> {
    const creds = this.auth.creds ?? (await this.auth.authenticate());
    try {
      return creds.crypticle.loads(blob);
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.AUTHENTICATION);
      if (typed.code !== ErrorCodes.AUTHENTICATION) throw typed;
      this.logger.debug('Publish failed authentication: the master key may have rotated; re-authenticating');
      const fresh = await this.auth.authenticate();
      return fresh.crypticle.loads(blob);
    }
  }

  private async verifySignature(payload: Dict, blob: Uint8Array): Promise<void> {
    const sig = bytesField(payload.sig);
    if (!sig)
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'Message signing is enabled but the payload has no signature.');
    const masterPem = await this.store.readFile('minion_master.pub');
    if (!masterPem) throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'no pinned master key to verify the publish');
    const algo = typeof payload.sig_algo === 'string' ? payload.sig_algo : undefined;
    const ok = await this.suite.verify(this.suite.importPublicKey(masterPem), blob, sig, algo ? { algo } : {});
    if (!ok) throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'Message signature failed to validate.');
  }
}
