import {
  type CryptoSuite,
  type PublicKey,
  AuthError,
  CryptoError,
  ErrorCodes,
  ProtocolError,
  toBrineError,
  type BrineError,
  type Logger,
  dumps,
} from '@brine/contracts';
import { cleanKey } from '../keystore/clean-key.js';
import { fnmatch } from '../keystore/glob.js';
import { isValidMinionId, minionIdProblem } from '../keystore/minion-id.js';
import type { KeyStore } from '../keystore/types.js';
import { BAD_ENC_ALGO, BAD_SIG_ALGO } from '../protocol/constants.js';
import { bytesField, textField, type Dict } from '../protocol/values.js';
import { utf8Encode } from '@brine/contracts/bytes';
import type { AuthEvent } from './auth-events.js';
import type { MasterKeys } from './master-keys.js';
import type { SessionKeys } from './session-keys.js';
import type { SharedKey } from './shared-key.js';

export interface AuthServerOptions {
  /** Accept every new key (Salt's `auto_accept`). Default false. */
  autoAccept?: boolean;
  /** Ids (fnmatch globs) accepted without review (Salt's `autosign_file` contents). */
  autosign?: readonly string[];
  /** Ids (globs) rejected outright (Salt's `autoreject_file` contents). */
  autoreject?: readonly string[];
  /** Accept any key and overwrite the stored one (Salt's `open_mode`; dangerous). Default false. */
  openMode?: boolean;
  /** Refuse new minions beyond this many connected ones (Salt's `max_minions`; 0 = no limit). */
  maxMinions?: number;
  /** Ids currently connected (for `max_minions`). */
  connectedIds?: () => Iterable<string>;
  /** The publish port sent to accepted minions (read at each accept: the publish server may bind after). */
  publishPort: number | (() => number);
}

export interface AuthServerDeps {
  suite: CryptoSuite;
  store: KeyStore;
  masterKeys: MasterKeys;
  shared: SharedKey;
  sessions: SessionKeys;
  logger: Logger;
  /** Accept / pend / reject / deny / full decisions, for Salt's `salt/auth` events. */
  onEvent?: (event: AuthEvent) => void;
}

/** What `_auth` decided, besides the reply. */
export type AuthOutcome = AuthEvent['act'] | 'bad-algo' | 'invalid';

export interface AuthResult {
  reply: Dict;
  outcome: AuthOutcome;
  id: string | undefined;
  /**
   * Why the request was bad (invalid id, no nonce or key, refused algorithm, corrupt key, a token
   * that does not decrypt), for the channel's `onError`; the reply is already decided.
   */
  error?: BrineError;
}

/**
 * The master's `_auth` handler (Salt §5.3–§5.4): decides accept / pend / reject / deny / full from
 * the key store, and builds the reply: for protocol version ≥ 2 clear-signed
 * `{enc: "clear", load: dumps(inner), sig: SIG(master.pem, load)}`; for older clients the bare dict.
 * The accept reply carries the master public key, the shared AES key and (v3) the minion's session
 * key sealed to the minion's key, the X9.31 signature of sha256(aes), and the token echoed back.
 */
export class AuthServer {
  private readonly suite: CryptoSuite;
  private readonly store: KeyStore;
  private readonly masterKeys: MasterKeys;
  private readonly shared: SharedKey;
  private readonly sessions: SessionKeys;
  private readonly logger: Logger;
  private readonly onEvent: (event: AuthEvent) => void;

  constructor(
    deps: AuthServerDeps,
    private readonly options: AuthServerOptions,
  ) {
    ({ suite: this.suite, store: this.store, masterKeys: this.masterKeys, shared: this.shared } = deps);
    ({ sessions: this.sessions, logger: this.logger } = deps);
    this.onEvent = deps.onEvent ?? (() => {});
  }

  private publishPort(): number {
    const port = this.options.publishPort;
    return typeof port === 'function' ? port() : port;
  }

  async handle(load: Dict, version: number): Promise<AuthResult> {
    const signMessages = version > 1;
    // Absent means Salt's default; anything else must be a name this suite speaks (Salt refuses it too).
    const sigAlgo = 'sig_algo' in load ? load.sig_algo : this.suite.sigAlgos[0]!;
    const encAlgo = 'enc_algo' in load ? load.enc_algo : this.suite.encAlgos[0]!;
    const nonce = typeof load.nonce === 'string' ? load.nonce : undefined;
    const id = load.id;

    if (typeof sigAlgo !== 'string' || !this.suite.sigAlgos.includes(sigAlgo)) {
      const message = `Minion tried to authenticate with unsupported signing algorithm: ${String(sigAlgo).slice(0, 40)}`;
      this.logger.info(message);
      const error = new CryptoError(ErrorCodes.UNSUPPORTED_SUITE, message);
      return { reply: { enc: 'clear', load: { ret: BAD_SIG_ALGO } }, outcome: 'bad-algo', id: undefined, error };
    }
    if (typeof encAlgo !== 'string' || !this.suite.encAlgos.includes(encAlgo)) {
      const message = `Minion tried to authenticate with unsupported encryption algorithm: ${String(encAlgo).slice(0, 40)}`;
      this.logger.info(message);
      const error = new CryptoError(ErrorCodes.UNSUPPORTED_SUITE, message);
      return { reply: { enc: 'clear', load: { ret: BAD_ENC_ALGO } }, outcome: 'bad-algo', id: undefined, error };
    }

    const answer = async (
      ret: boolean | 'full',
      outcome: AuthOutcome,
      minionId?: string,
      error?: BrineError,
    ): Promise<AuthResult> => ({
      reply: signMessages ? await this.clearSigned({ ret, nonce }, sigAlgo) : { enc: 'clear', load: { ret } },
      outcome,
      id: minionId,
      ...(error ? { error } : {}),
    });

    if (!isValidMinionId(id)) {
      const message = `Authentication request from invalid id ${JSON.stringify(String(id)).slice(0, 80)}`;
      this.logger.info(message);
      const reason = minionIdProblem(id);
      return answer(
        false,
        'invalid',
        undefined,
        new AuthError(ErrorCodes.INVALID_MINION_ID, message, { details: { reason } }),
      );
    }
    if (signMessages && nonce === undefined) {
      const message = `Authentication request from ${id} carries no nonce`;
      this.logger.warning(message);
      return answer(false, 'invalid', id, new ProtocolError(ErrorCodes.BAD_LOAD, message));
    }
    const presented = textField(load.pub);
    if (presented === undefined || presented.trim() === '') {
      const message = `Authentication request from ${id} carries no public key`;
      this.logger.warning(message);
      return answer(false, 'invalid', id, new ProtocolError(ErrorCodes.BAD_LOAD, message));
    }
    const pub = presented.trim();
    this.logger.info(`Authentication request from ${id}`);
    const event = (result: boolean, act: AuthEvent['act']): void => this.onEvent({ result, act, id, pub });

    const maxMinions = this.options.maxMinions ?? 0;
    if (maxMinions > 0 && this.options.connectedIds) {
      const connected = new Set(this.options.connectedIds());
      if (connected.size >= maxMinions && !connected.has(id)) {
        this.logger.info(`Too many minions connected (max_minions=${maxMinions}). Rejecting connection from id ${id}`);
        event(false, 'full');
        return answer('full', 'full', id);
      }
    }

    const autoReject = matches(id, this.options.autoreject);
    const autoSign = this.options.autoAccept === true || matches(id, this.options.autosign);
    const rejected = await this.store.getMinionKey('rejected', id);
    const accepted = await this.store.getMinionKey('accepted', id);
    const pending = await this.store.getMinionKey('pending', id);

    if (this.options.openMode) {
      // accept whatever is presented below
    } else if (rejected !== undefined) {
      this.logger.info(`Public key rejected for ${id}. Key is present in rejection key dir.`);
      event(false, 'reject');
      return answer(false, 'reject', id);
    } else if (accepted !== undefined) {
      if (cleanKey(accepted) !== cleanKey(pub)) {
        this.logger.error(
          `Authentication attempt from ${id} failed, the public keys did not match. This may be an attempt to compromise the Salt cluster.`,
        );
        await this.store.putMinionKey('denied', id, pub);
        event(false, 'denied');
        return answer(false, 'denied', id);
      }
    } else if (pending === undefined) {
      if (autoReject) {
        this.logger.info(`New public key for ${id} rejected via autoreject_file`);
        await this.store.putMinionKey('rejected', id, pub);
        event(false, 'reject');
        return answer(false, 'reject', id);
      }
      if (!autoSign) {
        if (!(await this.isUsableKey(pub))) return this.corruptKey(id, answer);
        this.logger.info(`New public key for ${id} placed in pending`);
        await this.store.putMinionKey('pending', id, pub);
        event(true, 'pend');
        return answer(true, 'pend', id);
      }
    } else {
      if (autoReject) {
        await this.store.moveMinionKey(id, 'pending', 'rejected');
        this.logger.info(`Pending public key for ${id} rejected via autoreject_file`);
        event(false, 'reject');
        return answer(false, 'reject', id);
      }
      if (cleanKey(pending) !== cleanKey(pub)) {
        this.logger.error(
          `Authentication attempt from ${id} failed, the public key in pending did not match. This may be an attempt to compromise the Salt cluster.`,
        );
        await this.store.putMinionKey('denied', id, pub);
        event(false, 'denied');
        return answer(false, 'denied', id);
      }
      if (!autoSign) {
        this.logger.info(
          `Authentication failed from host ${id}, the key is in pending and needs to be accepted with salt-key -a ${id}`,
        );
        event(true, 'pend');
        return answer(true, 'pend', id);
      }
    }

    let minionKey: PublicKey;
    try {
      minionKey = this.suite.importPublicKey(pub);
    } catch {
      return this.corruptKey(id, answer);
    }
    this.logger.info(`Authentication accepted from ${id}`);
    if (accepted === undefined || (this.options.openMode && cleanKey(accepted) !== cleanKey(pub))) {
      await this.store.putMinionKey('accepted', id, pub);
      if (pending !== undefined) await this.store.removeMinionKey('pending', id);
    }

    const inner: Dict = { enc: 'pub', pub_key: this.masterKeys.publicPem, publish_port: this.publishPort() };
    if (this.masterKeys.pubkeySignature !== undefined) inner.pub_sig = this.masterKeys.pubkeySignature;
    const token = bytesField(load.token);
    let tokenError: BrineError | undefined;
    if (token !== undefined) {
      try {
        const clearToken = await this.suite.open(this.masterKeys.privateKey, token, { algo: encAlgo });
        inner.token = await this.suite.seal(minionKey, clearToken, { algo: encAlgo });
      } catch (error) {
        // Salt answers without the token ("send back the salty bacon"); the minion then refuses.
        tokenError = toBrineError(error, ErrorCodes.CRYPTO);
        this.logger.warning(`Token failed to decrypt: ${tokenError.message}`);
      }
    } else if (load.token !== undefined) {
      tokenError = new ProtocolError(ErrorCodes.BAD_LOAD, `the token from ${id} is not bytes`);
      this.logger.warning(`Token failed to decrypt: ${tokenError.message}`);
    }
    const [aes, session, sig] = await Promise.all([
      this.suite.seal(minionKey, utf8Encode(this.shared.key), { algo: encAlgo }),
      this.suite.seal(minionKey, utf8Encode(this.sessions.keyFor(id)), { algo: encAlgo }),
      this.shared.signature(),
    ]);
    inner.aes = aes;
    inner.session = session;
    inner.sig = sig;
    if (version < 3) this.logger.warning(`Minion using legacy request server protocol, please upgrade ${id}`);
    event(true, 'accept');
    const error = tokenError ? { error: tokenError } : {};
    if (!signMessages) return { reply: inner, outcome: 'accept', id, ...error };
    inner.nonce = nonce;
    return { reply: await this.clearSigned(inner, sigAlgo), outcome: 'accept', id, ...error };
  }

  /** Salt's `_clear_signed`: `{enc: "clear", load: dumps(load), sig: SIG(master.pem, load)}`. */
  private async clearSigned(load: Dict, sigAlgo: string): Promise<Dict> {
    const bytes = dumps(load);
    const sig = await this.suite.sign(this.masterKeys.privateKey, bytes, { algo: sigAlgo });
    return { enc: 'clear', load: bytes, sig };
  }

  private async isUsableKey(pub: string): Promise<boolean> {
    try {
      this.suite.importPublicKey(pub);
      return true;
    } catch {
      return false;
    }
  }

  private corruptKey(
    id: string,
    answer: (ret: boolean, outcome: AuthOutcome, id?: string, error?: BrineError) => Promise<AuthResult>,
  ): Promise<AuthResult> {
    const error = new CryptoError(ErrorCodes.KEY_FORMAT, `Corrupt or missing public key "${id}"`);
    this.logger.error(error.message, error);
    return answer(false, 'error', id, error);
  }
}

function matches(id: string, patterns: readonly string[] | undefined): boolean {
  return patterns !== undefined && patterns.some((p) => fnmatch(id, p));
}
