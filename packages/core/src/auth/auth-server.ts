import {
  type CryptoSuite,
  type PublicKey,
  AuthError,
  CryptoError,
  ErrorCodes,
  ProtocolError,
  isBrineError,
  toBrineError,
  type BrineError,
  type Logger,
  dumps,
} from '@brine/contracts';
import { cleanKey } from '../keystore/clean-key.js';
import { fnmatch } from '../keystore/glob.js';
import { RateLimitedLog } from '../limits/rate-limited-log.js';
import { TokenBucket } from '../limits/token-bucket.js';
import { isValidMinionId, minionIdProblem } from '../keystore/minion-id.js';
import type { KeyStore } from '../keystore/types.js';
import { BAD_ENC_ALGO, BAD_SIG_ALGO } from '../protocol/constants.js';
import { bytesField, textField, type Dict } from '../protocol/values.js';
import { utf8Encode } from '@brine/contracts/bytes';
import { AuthAdmission, type AdmissionStats } from './admission.js';
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
  /** Refuse RSA minion keys below this many bits (Brine `min_key_size`, default 2048; Salt suite only). */
  minKeySize?: number;
  /** Longest `pub` text accepted in `_auth`, in bytes, refused before the key is parsed. Default 4096. */
  maxPubSize?: number;
  /** At most this many keys wait in pending (Brine `max_pending_keys`, default 1000; 0 = no cap). */
  maxPendingKeys?: number;
  /** New pending keys per second, bursts up to the same number (Brine `pending_key_rate`, default 50; 0 = no limit). */
  pendingKeyRate?: number;
  /** Refused `_auth` requests log at most this many lines per minute per kind (Brine `log_rate_limit`, 10). */
  logRateLimit?: number;
  /** The publish port sent to accepted minions (read at each accept: the publish server may bind after). */
  publishPort: number | (() => number);
  /**
   * Sign-ins worked on at once (Brine `auth_queue_max`, default 256; 0 = no bound). One more is
   * answered at once, signed, with `{ret: true, retry_after: seconds}`: a Salt minion reads it as
   * "not yet, sign in again after acceptance_wait_time", a Brine minion waits the hint (jittered).
   */
  authQueueMax?: number;
  /**
   * Most seconds an admitted sign-in should wait at the measured sign-in rate (Brine
   * `auth_queue_max_wait`, default 2: inside a minion's 5 s `auth_timeout`); lowers the bound on a
   * slow master, never below 16 in flight. 0 = `authQueueMax` alone.
   */
  authQueueMaxWait?: number;
  /** Base of the randomized delay hint, seconds (Brine `auth_retry_delay`, default 1). */
  authRetryDelay?: number;
  /** Longest delay hint, seconds (Brine `auth_retry_delay_max`, default 30). */
  authRetryDelayMax?: number;
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
  /**
   * The suite that signs "busy" answers: one that runs on the calling thread (a pooled suite's
   * `lanes().inline`), so refusing costs no place in the worker queue that is full. Default `suite`.
   */
  inlineSuite?: CryptoSuite;
  /** A sign-in answered "busy, retry after" (for counters and throttled events). */
  onBusy?: (info: { id: string; retryAfter: number; stats: AdmissionStats }) => void;
}

/** What `_auth` decided, besides the reply. */
export type AuthOutcome = AuthEvent['act'] | 'bad-algo' | 'invalid' | 'busy';

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
    this.inline = deps.inlineSuite ?? deps.suite;
    this.onBusy = deps.onBusy;
    this.pendingRate = new TokenBucket(options.pendingKeyRate ?? 50);
    this.limitedLog = new RateLimitedLog(this.logger, options.logRateLimit ?? 10);
    this.admission = new AuthAdmission({
      maxInFlight: options.authQueueMax ?? 256,
      maxWait: options.authQueueMaxWait ?? 2,
      retryDelay: options.authRetryDelay ?? 1,
      retryDelayMax: options.authRetryDelayMax ?? 30,
    });
  }

  private readonly pendingRate: TokenBucket;
  private readonly limitedLog: RateLimitedLog;
  private readonly admission: AuthAdmission;
  private readonly inline: CryptoSuite;
  private readonly onBusy: AuthServerDeps['onBusy'];

  /** The sign-in queue: in flight now, peak, admitted and refused ("busy") counts, measured rate. */
  admissionStats(): AdmissionStats {
    return this.admission.stats();
  }

  /**
   * The presented key reduced to the key itself: parsed, size-checked, and re-exported in the
   * suite's canonical text, so padding or junk around a PEM is never stored, cached or compared.
   */
  private normaliseKey(id: string, presented: string): { pem: string; key: PublicKey } | BrineError {
    const maxPub = this.options.maxPubSize ?? 4096;
    if (presented.length > maxPub) {
      return new CryptoError(ErrorCodes.KEY_FORMAT, `The public key from ${id} is over ${maxPub} bytes; refused`, {
        details: { size: presented.length, limit: maxPub },
      });
    }
    let key: PublicKey;
    try {
      key = this.suite.importPublicKey(cleanKey(presented));
    } catch {
      return new CryptoError(ErrorCodes.KEY_FORMAT, `Corrupt or missing public key "${id}"`);
    }
    const min = this.options.minKeySize ?? 2048;
    if (this.suite.id === 'salt' && key.bits < min) {
      return new CryptoError(
        ErrorCodes.KEY_TOO_SMALL,
        `The public key from ${id} has ${key.bits} bits, below min_key_size ${min}; refused`,
        { details: { bits: key.bits, min } },
      );
    }
    // Salt's clean_key form of the canonical export (what Salt stores and puts in salt/auth events).
    return { pem: cleanKey(this.suite.exportPublicKey(key)), key };
  }

  /** Compares a stored key with the normalised presented one (stored keys may predate normalisation). */
  private sameKey(stored: string, pem: string): boolean {
    if (cleanKey(stored) === cleanKey(pem)) return true;
    try {
      return cleanKey(this.suite.exportPublicKey(this.suite.importPublicKey(stored))) === cleanKey(pem);
    } catch {
      return false;
    }
  }

  /** Whether one more key may enter pending now (cap and rate); logs rate-limited when not. */
  private async pendingRoomFor(id: string): Promise<BrineError | undefined> {
    const cap = this.options.maxPendingKeys ?? 1000;
    if (cap > 0 && (await this.pendingCount()) >= cap) {
      const error = new AuthError(
        ErrorCodes.PENDING_LIMIT,
        `Pending keys are at max_pending_keys (${cap}); the key of ${id} is not stored`,
        { details: { limit: cap } },
      );
      this.limitedLog.warning('max_pending_keys', error.message, error);
      return error;
    }
    if (!this.pendingRate.take()) {
      const error = new AuthError(
        ErrorCodes.PENDING_LIMIT,
        `New pending keys arrive faster than pending_key_rate (${this.options.pendingKeyRate ?? 50}/s); the key of ${id} is not stored`,
      );
      this.limitedLog.warning('pending_key_rate', error.message, error);
      return error;
    }
    return undefined;
  }

  private async pendingCount(): Promise<number> {
    const store = this.store;
    return store.countMinionKeys ? store.countMinionKeys('pending') : (await store.listMinionKeys('pending')).length;
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
    // Admission: past this point a sign-in costs key-store lookups and private-key operations.
    if (!this.admission.tryEnter()) return this.busy(id, nonce, sigAlgo, signMessages);
    try {
      return await this.decide(load, version, id, nonce, sigAlgo, encAlgo, answer);
    } catch (error) {
      // The worker pool's own queue is full (other work filled it): the same truthful answer.
      if (!isQueueFull(error)) throw error;
      this.admission.countRefusal();
      return this.busy(id, nonce, sigAlgo, signMessages);
    } finally {
      this.admission.leave();
    }
  }

  /**
   * "Busy, retry after N s", cheaply: no key-store access, no key parsing, one signature on the
   * calling thread. `ret: true` is what a Salt minion reads as "not yet, retry after
   * acceptance_wait_time" (its `handle_signin_response` returns "retry"), so Salt minions back off
   * too; a Brine minion waits `retry_after` instead.
   */
  private async busy(
    id: string,
    nonce: string | undefined,
    sigAlgo: string,
    signMessages: boolean,
  ): Promise<AuthResult> {
    const retryAfter = this.admission.retryAfter();
    const stats = this.admission.stats();
    this.limitedLog.warning(
      ErrorCodes.AUTH_BUSY,
      `Sign-in queue is full (${stats.limit} in flight, auth_queue_max ${stats.maxInFlight}); ${id} is told to retry after ${retryAfter}s`,
    );
    this.onBusy?.({ id, retryAfter, stats });
    const load: Dict = { ret: true, retry_after: retryAfter };
    if (!signMessages) return { reply: { enc: 'clear', load }, outcome: 'busy', id };
    load.nonce = nonce;
    return { reply: await this.clearSigned(load, sigAlgo, this.inline), outcome: 'busy', id };
  }

  private async decide(
    load: Dict,
    version: number,
    id: string,
    nonce: string | undefined,
    sigAlgo: string,
    encAlgo: string,
    answer: (ret: boolean | 'full', outcome: AuthOutcome, minionId?: string, error?: BrineError) => Promise<AuthResult>,
  ): Promise<AuthResult> {
    const signMessages = version > 1;
    const presented = textField(load.pub);
    if (presented === undefined || presented.trim() === '') {
      const message = `Authentication request from ${id} carries no public key`;
      this.logger.warning(message);
      return answer(false, 'invalid', id, new ProtocolError(ErrorCodes.BAD_LOAD, message));
    }
    const normal = this.normaliseKey(id, presented);
    if (!('pem' in normal)) {
      this.limitedLog.log('error', normal.code, normal.message, normal);
      return answer(false, 'error', id, normal);
    }
    const pub = normal.pem;
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
      if (!this.sameKey(accepted, pub)) {
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
        // Not stored: the minion is told "pending" and retries later, as when it waits for review.
        const full = await this.pendingRoomFor(id);
        if (full) return answer(true, 'pend', id, full);
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
      if (!this.sameKey(pending, pub)) {
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

    const minionKey = normal.key;
    this.logger.info(`Authentication accepted from ${id}`);
    if (accepted === undefined || (this.options.openMode && !this.sameKey(accepted, pub))) {
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
  private async clearSigned(load: Dict, sigAlgo: string, suite: CryptoSuite = this.suite): Promise<Dict> {
    const bytes = dumps(load);
    const sig = await suite.sign(this.masterKeys.privateKey, bytes, { algo: sigAlgo });
    return { enc: 'clear', load: bytes, sig };
  }
}

function isQueueFull(error: unknown): boolean {
  return isBrineError(error) && error.code === ErrorCodes.QUEUE_FULL;
}

function matches(id: string, patterns: readonly string[] | undefined): boolean {
  return patterns !== undefined && patterns.some((p) => fnmatch(id, p));
}
