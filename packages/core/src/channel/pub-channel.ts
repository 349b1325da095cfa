import type { AsyncAuth } from '../auth/async-auth.js';
import type { MinionKeys } from '../auth/minion-keys.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { AuthError, ErrorCodes, ProtocolError, toBrineError, type BrineError } from '../errors.js';
import type { KeyStore } from '../keystore/types.js';
import type { Logger } from '../logger.js';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import { bytesField, isDict, type Dict } from '../protocol/values.js';
import { loads } from '../serial/decode.js';
import type { Address, PublishClient } from '../transport/types.js';
import type { AbortOptions } from '../util/abort.js';
import { TypedEmitter } from '../util/emitter.js';

export interface PubChannelOptions {
  id: string;
  /** Verify the master's signature on every publish (Salt minion `sign_pub_messages`, default false). */
  signPubMessages?: boolean;
  version?: number;
}

export interface PubChannelEvents {
  /** A publish that was dropped (bad signature, replay, undecryptable after re-auth, malformed). */
  dropped: [error: BrineError];
}

/**
 * The minion's publish channel (Salt's `AsyncPubChannel`): connects the publish client with this
 * minion's identity and presence message, then yields decrypted job loads. A publish that fails
 * the MAC means the master rotated its key: re-authenticate once and retry; a replayed serial or a
 * bad signature is dropped and reported.
 */
export class PubChannel implements AsyncIterable<Dict> {
  readonly events = new TypedEmitter<PubChannelEvents>();
  private connects = 0;

  constructor(
    private readonly client: PublishClient,
    private readonly auth: AsyncAuth,
    private readonly keys: MinionKeys,
    private readonly suite: CryptoSuite,
    private readonly store: KeyStore,
    private readonly options: PubChannelOptions,
    private readonly logger: Logger,
  ) {}

  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    await this.client.connect(address, {
      ...options,
      identity: this.options.id,
      presence: () => this.presenceMessage(),
    });
  }

  /** Salt's `send_id`: `{enc: "aes", load: Crypticle(aes).dumps({id, tok}), version}`; re-auths on reconnects. */
  private async presenceMessage(): Promise<Dict> {
    // The master may have restarted (new AES key): on a reconnect, sign in again first.
    const creds = this.connects++ > 0 || !this.auth.creds ? await this.auth.authenticate() : this.auth.creds;
    const load = creds.crypticle.dumps({ id: this.options.id, tok: await this.keys.token() });
    return { enc: 'aes', load, version: this.options.version ?? PROTOCOL_VERSION };
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
      if (this.options.signPubMessages) await this.verifySignature(payload, blob);
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
