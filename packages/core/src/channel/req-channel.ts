import type { AsyncAuth } from '../auth/async-auth.js';
import type { AuthCredentials } from '../auth/credentials.js';
import type { MinionKeys } from '../auth/minion-keys.js';
import {
  type CryptoSuite,
  AuthError,
  ErrorCodes,
  toBrineError,
  type BrineError,
  type Logger,
  type RequestClient,
  type AbortOptions,
  type PublicKey,
  bytes,
  loads,
} from '@brine/contracts';
import { Crypticle } from '../crypto/crypticle.js';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import { uuid4Hex } from '../protocol/nonce.js';
import { bytesField, type Dict } from '../protocol/values.js';

export interface ReqChannelOptions {
  id: string;
  /** Seconds per try (Salt `request_channel_timeout`, 60). */
  timeout?: number;
  /** Tries per request (Salt `request_channel_tries`, 3). */
  tries?: number;
  version?: number;
  encryptionAlgorithm?: string;
  signingAlgorithm?: string;
  /**
   * Encrypted loads over this many bytes wait, on a new connection, until a request on that
   * connection was answered: a master authenticates each connection (tcp, ws) and applies its small
   * `auth_max_message_size` (16 KiB by default) until then. Default 4096 (a real `_auth` fits
   * under it, so no sane master limit is lower). 0 turns the proof off.
   */
  proveAbove?: number;
}

export interface SendOptions extends AbortOptions {
  tries?: number;
}

export interface ReqChannelDeps {
  client: RequestClient;
  auth: AsyncAuth;
  keys: MinionKeys;
  suite: CryptoSuite;
  logger: Logger;
  /** The pinned master public key (`minion_master.pub`): verifies `sendPrivate` replies. */
  masterKey?: () => Promise<PublicKey | undefined>;
}

type Decode = (reply: unknown, crypticle: Crypticle, nonce: string) => Promise<unknown>;

/**
 * The minion's request channel (Salt's `AsyncReqChannel`) over any RequestClient. `send` encrypts
 * the load with the session key (v3; the shared key for v2), adding `nonce`, `ts`, `tok`, `id`,
 * and checks the reply's nonce. An authentication failure (rotated key, restarted master)
 * triggers one re-authentication and one resend.
 */
export class ReqChannel {
  private readonly timeout: number;
  private readonly tries: number;
  private readonly version: number;
  /** The minion's `tok`, once known (it never changes for these keys): no await per request. */
  private tok: Uint8Array | undefined;
  private readonly proveAbove: number;
  /** Counts the client's connections; `proven` is the one on which a request was answered. */
  private connection = 0;
  private proven = -1;
  private proving: Promise<void> | undefined;

  private readonly client: RequestClient;
  private readonly auth: AsyncAuth;
  private readonly keys: MinionKeys;
  private readonly suite: CryptoSuite;
  private readonly logger: Logger;
  private readonly masterKey: (() => Promise<PublicKey | undefined>) | undefined;

  constructor(
    deps: ReqChannelDeps,
    private readonly options: ReqChannelOptions,
  ) {
    this.client = deps.client;
    this.auth = deps.auth;
    this.keys = deps.keys;
    this.suite = deps.suite;
    this.logger = deps.logger;
    this.masterKey = deps.masterKey;

    this.timeout = options.timeout ?? 60;
    this.tries = options.tries ?? 3;
    this.version = options.version ?? PROTOCOL_VERSION;
    this.proveAbove = options.proveAbove ?? DEFAULT_PROVE_ABOVE;
    this.client.events.on('connect', () => {
      this.connection++;
    });
  }

  /** Sends `load` encrypted and resolves with the decrypted reply. */
  async send(load: Dict, options: SendOptions = {}): Promise<unknown> {
    return this.sendWith(load, options, decodeSession);
  }

  /**
   * Salt's `crypted_transfer_decode_dictentry` (the `_pillar` request): the reply is not
   * session-encrypted but `{key: seal(k), [dictKey]: Crypticle(k).dumps({data, sig})}`; the
   * signature over `data` must verify with the pinned master key, and `data` must carry the same
   * sealed key and this request's nonce. Resolves with `data[dictKey]`.
   */
  async sendPrivate(load: Dict, dictKey: string, options: SendOptions = {}): Promise<unknown> {
    return this.sendWith(load, options, (reply, _crypticle, nonce) => this.openPrivate(reply, dictKey, nonce));
  }

  private async openPrivate(reply: unknown, dictKey: string, nonce: string): Promise<unknown> {
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
      throw new AuthError(ErrorCodes.AUTHENTICATION, `the master sent no private reply (${describe(reply)})`);
    }
    const r = reply as Dict;
    const sealed = bytesField(r.key);
    const blob = bytesField(r[dictKey]);
    if (!sealed || !blob) throw new AuthError(ErrorCodes.AUTHENTICATION, `private reply without key or ${dictKey}`);
    const algo = this.options.encryptionAlgorithm || this.suite.encAlgos[0];
    const key = await this.suite.open(this.keys.privateKey, sealed, algo ? { algo } : {});
    const inner = Crypticle.fromKey(this.suite, new TextDecoder().decode(key)).loads(blob);
    if (inner === null || typeof inner !== 'object' || !('data' in inner) || !('sig' in inner)) {
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, `the ${dictKey} reply is not signed`);
    }
    const data = bytesField((inner as Dict).data);
    const sig = bytesField((inner as Dict).sig);
    const master = await this.masterKey?.();
    if (!data || !sig || !master) throw new AuthError(ErrorCodes.BAD_SIGNATURE, `cannot verify the ${dictKey} reply`);
    const sigAlgo = this.options.signingAlgorithm || this.suite.sigAlgos[0];
    if (!(await this.suite.verify(master, data, sig, sigAlgo ? { algo: sigAlgo } : {}))) {
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, `the ${dictKey} reply's signature does not verify`);
    }
    const signed = loads(data) as Dict;
    const signedKey = bytesField(signed.key);
    if (!signedKey || !bytes.bytesEqual(signedKey, sealed) || signed.nonce !== nonce) {
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, `the ${dictKey} reply does not belong to this request`);
    }
    return signed[dictKey];
  }

  private async sendWith(load: Dict, options: SendOptions, decode: Decode): Promise<unknown> {
    const tries = options.tries ?? this.tries;
    let lastError: BrineError | undefined;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        return await this.cryptedTransfer(load, options, decode);
      } catch (error) {
        lastError = toBrineError(error, ErrorCodes.REMOTE);
        if (
          options.signal?.aborted ||
          lastError.code === ErrorCodes.CLOSED ||
          lastError.code === ErrorCodes.AUTH_REJECTED ||
          lastError.code === ErrorCodes.MESSAGE_TOO_LARGE // the same bytes would be refused again
        ) {
          throw lastError;
        }
        this.logger.debug(`Failed to send msg (try ${attempt}/${tries}): ${lastError.message}`);
      }
    }
    throw lastError!;
  }

  /** Sends `load` in clear (only `_auth` is accepted by a master; kept for completeness and tests). */
  sendClear(load: Dict, options: AbortOptions = {}): Promise<unknown> {
    return this.client.request({ enc: 'clear', load, version: this.version }, this.withTimeout(options));
  }

  private withTimeout(options: AbortOptions): AbortOptions {
    return { ...options, timeout: options.timeout ?? this.timeout * 1000 };
  }

  private async cryptedTransfer(load: Dict, options: AbortOptions, decode: Decode): Promise<unknown> {
    let creds = this.auth.creds ?? (await this.auth.authenticate(options));
    try {
      return await this.transfer(load, creds, options, decode);
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.REMOTE);
      if (typed.code !== ErrorCodes.AUTHENTICATION) throw typed;
      this.logger.debug(`Request failed authentication (${typed.message}); re-authenticating`);
      creds = await this.auth.authenticate(options);
      return this.transfer(load, creds, options, decode);
    }
  }

  /**
   * The protocol version this request speaks: the configured one, lowered to 2 when the master
   * answered the sign-in without a session key (a protocol-v2 master such as Salt 3007.1, which
   * neither strips v3 fields from a load nor decrypts with a session key).
   */
  negotiatedVersion(creds: AuthCredentials): number {
    return this.version > 2 && creds.sessionCrypticle !== undefined ? this.version : Math.min(this.version, 2);
  }

  private async transfer(load: Dict, creds: AuthCredentials, options: AbortOptions, decode: Decode): Promise<unknown> {
    const version = this.negotiatedVersion(creds);
    const crypticle = version > 2 ? creds.sessionCrypticle! : creds.crypticle;
    const nonce = uuid4Hex((n) => this.suite.randomBytes(n));
    const body: Dict = { ...load, nonce };
    if (version > 2) {
      body.ts = Math.floor(Date.now() / 1000);
      body.tok = this.tok ??= await this.keys.token();
      body.id = this.options.id;
    } else if (load.cmd !== '_return') {
      // A v2 master checks (and pops) the load's `tok` in every AESFuncs command but `_return`,
      // where it would stay in the return event: Salt 3007.1's minion adds it exactly so.
      body.tok = this.tok ??= await this.keys.token();
    } else {
      delete body.tok;
    }
    const blob = crypticle.dumps(body);
    if (this.proveAbove > 0 && blob.length > this.proveAbove && !this.isProven()) await this.prove(creds, options);
    const envelope: Dict = { enc: 'aes', load: blob, version };
    if (version > 2) {
      envelope.id = this.options.id;
      envelope.enc_algo = this.options.encryptionAlgorithm || this.suite.encAlgos[0];
      envelope.sig_algo = this.options.signingAlgorithm || this.suite.sigAlgos[0];
    }
    const connection = this.connection;
    const reply = await this.client.request(envelope, this.withTimeout(options));
    const value = await decode(reply, crypticle, nonce);
    // An encrypted answer on the same connection: the master verified us there (it authenticates
    // the connection on any request that decrypted and whose token verified).
    if (connection === this.connection) this.proven = connection;
    return value;
  }

  private isProven(): boolean {
    return this.proven === this.connection && this.client.connected;
  }

  /**
   * Sends one tiny verified request (`_minion_event` with no events: Salt and Brine masters answer
   * it without doing anything) so the connection is authenticated before a large request follows.
   * Concurrent large requests share one proof. A failure is the caller's to retry.
   */
  private prove(creds: AuthCredentials, options: AbortOptions): Promise<void> {
    this.proving ??= this.transfer(
      { cmd: '_minion_event', id: this.options.id, events: [] },
      creds,
      options.timeout === undefined ? {} : { timeout: options.timeout },
      decodeSession,
    )
      .then(() => undefined)
      .finally(() => {
        this.proving = undefined;
      });
    return this.proving;
  }
}

const DEFAULT_PROVE_ABOVE = 4096;

async function decodeSession(reply: unknown, crypticle: Crypticle, nonce: string): Promise<unknown> {
  const blob = bytesField(reply);
  if (!blob) {
    throw new AuthError(ErrorCodes.AUTHENTICATION, `the master could not process the request (${describe(reply)})`);
  }
  return crypticle.loads(blob, { nonce });
}

function describe(reply: unknown): string {
  if (typeof reply === 'string') return JSON.stringify(reply.slice(0, 80));
  return reply === null ? 'null' : typeof reply;
}
