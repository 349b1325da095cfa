import {
  type CryptoSuite,
  type PublicKey,
  AuthError,
  ClosedError,
  ErrorCodes,
  toBrineError,
  isBrineError,
  TimeoutError,
  type BrineError,
  type Logger,
  deadline,
  delay,
  raceSignal,
  type AbortOptions,
  TypedEmitter,
} from '@brine/contracts';
import { Crypticle } from '../crypto/crypticle.js';
import { pemFinger } from '../keystore/pem-finger.js';
import type { KeyStore } from '../keystore/types.js';
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import type { Dict } from '../protocol/values.js';
import { utf8Encode } from '@brine/contracts/bytes';
import type { AuthStateName, AuthTransition } from './auth-state.js';
import type { AuthCredentials } from './credentials.js';
import { CredentialsCache } from './credentials-cache.js';
import type { MinionKeys } from './minion-keys.js';
import { buildSignIn, verifySignIn, type SignInContext } from './sign-in.js';

/** Sends one clear request (an envelope) and returns the reply. Usually a RequestClient's `request`. */
export type ClearSender = (envelope: Dict, options: AbortOptions) => Promise<unknown>;

export interface AsyncAuthOptions {
  id: string;
  /** `tcp://127.0.0.1:4506`, for logs and creds. */
  masterUri: string;
  /** Seconds between sign-ins while pending (Salt `acceptance_wait_time`, 10). */
  acceptanceWaitTime?: number;
  /** Upper bound of the doubling wait (Salt `acceptance_wait_time_max`, 0 = no growth). */
  acceptanceWaitTimeMax?: number;
  /** Sends per sign-in before it counts as failed (Salt `auth_tries`, 7). */
  authTries?: number;
  /** Seconds per send (Salt `auth_timeout`, 5). */
  authTimeout?: number;
  /** Sign-in attempts before giving up with ERR_AUTH_FAILED (Salt 3008 `auth_retries`; 0 = never give up). */
  authRetries?: number;
  /** Keep retrying after a rejection (Salt `rejected_retry`, false). */
  rejectedRetry?: boolean;
  encryptionAlgorithm?: string;
  signingAlgorithm?: string;
  verifyMasterPubkeySign?: boolean;
  alwaysVerifySignature?: boolean;
  /** Name of the master signing key file (`<name>.pub` in pki_dir). Default `master_sign`. */
  masterSignKeyName?: string;
  /** Expected fingerprint of the master key (Salt `master_finger`); a mismatch is refused. */
  masterFinger?: string;
  /** Protocol version to speak. Default 3. */
  version?: number;
  /** Shared credentials by (pki_dir, id, master_uri), Salt's `creds_map`. */
  credentialsCache?: CredentialsCache;
}

export interface AsyncAuthEvents {
  state: [transition: AuthTransition];
  authenticated: [creds: AuthCredentials];
}

export interface AsyncAuthDeps {
  suite: CryptoSuite;
  store: KeyStore;
  keys: MinionKeys;
  send: ClearSender;
  logger: Logger;
  /** [0, 1), for the jitter of "busy" waits (tests). Default Math.random. */
  random?: () => number;
}

/**
 * The minion side of the handshake (Salt's `AsyncAuth`), as an explicit state machine. One
 * sign-in runs at a time; concurrent `authenticate()` calls share it. Pending keys are retried
 * every `acceptance_wait_time` seconds (doubling up to `acceptance_wait_time_max`); failures
 * (timeouts, bad signatures, a changed master key) are retried with the same back-off and never
 * end the process. A rejection ends the attempt with ERR_AUTH_REJECTED unless `rejected_retry`.
 */
export class AsyncAuth {
  readonly events = new TypedEmitter<AsyncAuthEvents>();
  private stateName: AuthStateName = 'idle';
  private current: AuthCredentials | undefined;
  private attempt: Promise<AuthCredentials> | undefined;
  private readonly stop = new AbortController();
  private readonly clearToken: Uint8Array;
  private readonly o: Required<Omit<AsyncAuthOptions, 'masterFinger' | 'credentialsCache'>> &
    Pick<AsyncAuthOptions, 'masterFinger'>;
  private readonly cache: CredentialsCache | undefined;
  private readonly cacheKey: string;
  private lastFailure: BrineError | undefined;
  private readonly random: () => number;

  private readonly suite: CryptoSuite;
  private readonly store: KeyStore;
  private readonly keys: MinionKeys;
  private readonly send: ClearSender;
  private readonly logger: Logger;

  constructor(deps: AsyncAuthDeps, options: AsyncAuthOptions) {
    this.suite = deps.suite;
    this.store = deps.store;
    this.keys = deps.keys;
    this.send = deps.send;
    this.logger = deps.logger;
    this.random = deps.random ?? Math.random;

    this.o = {
      acceptanceWaitTime: 10,
      acceptanceWaitTimeMax: 0,
      authTries: 7,
      authTimeout: 5,
      authRetries: 0,
      rejectedRetry: false,
      encryptionAlgorithm: deps.suite.encAlgos[0]!,
      signingAlgorithm: deps.suite.sigAlgos[0]!,
      verifyMasterPubkeySign: false,
      alwaysVerifySignature: false,
      masterSignKeyName: 'master_sign',
      version: PROTOCOL_VERSION,
      ...stripUndefined(options),
      id: options.id,
      masterUri: options.masterUri,
    };
    delete (this.o as { credentialsCache?: unknown }).credentialsCache;
    this.clearToken = utf8Encode(deps.suite.generateSessionKey());
    this.cache = options.credentialsCache;
    this.cacheKey = CredentialsCache.key(deps.store.location, options.id, options.masterUri);
    const cached = this.cache?.get(this.cacheKey);
    if (cached) {
      this.current = cached;
      this.stateName = 'authenticated';
    }
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.stop.signal.aborted;
  }

  get state(): AuthStateName {
    return this.stateName;
  }

  get creds(): AuthCredentials | undefined {
    return this.current;
  }

  get authenticated(): boolean {
    return this.current !== undefined;
  }

  get options(): Readonly<AsyncAuthOptions> {
    return this.o;
  }

  /** Forgets the credentials (the next request signs in again). */
  invalidate(): void {
    this.current = undefined;
    this.cache?.delete(this.cacheKey);
  }

  /**
   * Signs in (or joins the sign-in already running) and resolves with fresh credentials. The
   * caller's signal/timeout only stops this caller's wait, not the shared attempt.
   */
  authenticate(options: AbortOptions = {}): Promise<AuthCredentials> {
    if (this.stop.signal.aborted) return Promise.reject(new ClosedError(ErrorCodes.CLOSED, 'authentication is closed'));
    this.attempt ??= this.run().finally(() => {
      this.attempt = undefined;
    });
    const limit = deadline(options, undefined, 'authentication');
    return raceSignal(this.attempt, limit.signal)
      .catch((error: unknown) => {
        // A caller that gave up waiting learns why the sign-ins failed meanwhile.
        const last = this.lastError;
        if (last && isBrineError(error) && error.code === ErrorCodes.TIMEOUT) {
          throw new TimeoutError(ErrorCodes.TIMEOUT, `${error.message}; last sign-in error: ${last.message}`, {
            cause: last,
            details: { lastCode: last.code },
          });
        }
        throw error;
      })
      .finally(() => limit.dispose());
  }

  /** The error of the last failed sign-in attempt (cleared once signed in). */
  get lastError(): BrineError | undefined {
    return this.lastFailure;
  }

  /** Stops any running attempt (it rejects with ERR_CLOSED). */
  close(): void {
    this.stop.abort(new ClosedError(ErrorCodes.CLOSED, 'authentication is closed'));
    this.events.removeAllListeners();
  }

  private transition(to: AuthStateName, extra: Omit<AuthTransition, 'from' | 'to'> = {}): void {
    const from = this.stateName;
    if (extra.error) this.lastFailure = extra.error;
    else if (to === 'authenticated') this.lastFailure = undefined;
    this.stateName = to;
    this.events.emit('state', { from, to, ...extra });
  }

  private async run(): Promise<AuthCredentials> {
    const o = this.o;
    const max = o.acceptanceWaitTimeMax || o.acceptanceWaitTime;
    let wait = o.acceptanceWaitTime;
    let attempts = 0;
    let lastError: BrineError | undefined;
    this.transition(this.current ? 're-authenticating' : 'signing-in');
    while (!this.stop.signal.aborted) {
      attempts++;
      let pause = wait;
      let grow = true;
      try {
        const outcome = await this.signInOnce();
        if (outcome.kind === 'accepted') return this.accept(outcome);
        if (outcome.kind === 'busy') {
          // The master is busy, not refusing: wait its hint (jittered ±20%, so the refused do not
          // come back together), keep the back-off as it was, and never count it as an attempt.
          pause = busyPause(outcome.retryAfter, this.random);
          grow = false;
          attempts--;
          lastError = new AuthError(ErrorCodes.AUTH_BUSY, `the master is busy; retry after ${outcome.retryAfter}s`, {
            details: { retryAfter: outcome.retryAfter },
          });
          this.logger.info(`The master's sign-in queue is full; signing in again in ${pause.toFixed(2)} seconds`);
          this.transition('busy', { error: lastError, retryIn: pause });
        } else if (outcome.kind === 'rejected') {
          // A first-contact rejection cannot be verified (no pinned master key, `verified: false`);
          // as Salt, it still ends the attempt: that is what `brine key -r` on a pending key means.
          lastError = new AuthError(ErrorCodes.AUTH_REJECTED, "The Salt Master has rejected this minion's public key");
          if (!o.rejectedRetry) {
            this.logger.critical(
              "The Salt Master has rejected this minion's public key! To repair this issue, delete the public key for this minion on the Salt Master.",
            );
            this.transition('rejected', { error: lastError });
            throw lastError;
          }
          this.logger.error(
            "The Salt Master has rejected this minion's public key. The minion will attempt to re-authenticate.",
          );
          this.transition('rejected', { error: lastError, retryIn: wait });
        } else {
          const full = outcome.kind === 'full';
          lastError = new AuthError(
            full ? ErrorCodes.AUTH_FULL : ErrorCodes.AUTH_PENDING,
            full ? 'the master is full' : 'key pending acceptance',
          );
          this.logger.error(
            full
              ? `The Salt Master is full (max_minions); this salt minion will wait for ${wait} seconds before attempting to re-authenticate`
              : `The Salt Master has cached the public key for this node, this salt minion will wait for ${wait} seconds before attempting to re-authenticate`,
          );
          this.transition('pending', { error: lastError, retryIn: wait });
        }
      } catch (error) {
        if (this.stop.signal.aborted) break;
        const typed = toBrineError(error, ErrorCodes.AUTH_FAILED);
        if (typed.code === ErrorCodes.AUTH_REJECTED) throw typed;
        lastError = typed;
        // An unsigned or unverifiable answer ({ret: 'bad enc algo'}, no or a wrong signature) may
        // come from anyone on the path (CVE-2022-22935 class): it is logged and retried with the
        // same back-off, never fatal. Only a signed, verified rejection ends the attempt.
        if (typed.code === ErrorCodes.UNSUPPORTED_SUITE) {
          this.logger.error(
            `The master at ${o.masterUri} refused this minion's crypto suite (an unsigned answer, retried): ${typed.message}`,
            typed,
          );
        } else this.logger.error(`Sign-in to ${o.masterUri} failed: ${typed.message}`, typed);
        this.transition('failed', { error: typed, retryIn: wait });
      }
      if (o.authRetries > 0 && attempts >= o.authRetries) {
        const failed = new AuthError(
          ErrorCodes.AUTH_FAILED,
          `Failed to authenticate with the master after ${attempts} attempts`,
          {
            cause: lastError,
          },
        );
        this.transition('failed', { error: failed });
        throw failed;
      }
      if (grow) this.logger.info(`Waiting ${wait} seconds before retry.`);
      await delay(pause * 1000, this.stop.signal).catch(() => {});
      if (grow && wait < max) {
        wait = Math.min(wait + wait, max);
        this.logger.debug(`Authentication wait time is ${wait}`);
      }
      if (!this.stop.signal.aborted) this.transition(this.current ? 're-authenticating' : 'signing-in');
    }
    throw new ClosedError(ErrorCodes.CLOSED, 'authentication is closed', { cause: lastError });
  }

  private async signInOnce() {
    const o = this.o;
    const pinned = await this.store.readFile('minion_master.pub');
    if (pinned !== undefined) this.logger.debug('salt.crypt.get_rsa_pub_key: Loading public key');
    const ctx: SignInContext = {
      suite: this.suite,
      keys: this.keys,
      id: o.id,
      encAlgo: o.encryptionAlgorithm,
      sigAlgo: o.signingAlgorithm,
      pinnedMasterPem: pinned,
      clearToken: this.clearToken,
    };
    const request = await buildSignIn(ctx);
    if (pinned === undefined) this.logger.debug('Master public key not found');
    const envelope = { enc: 'clear', load: request.load, version: o.version };
    let reply: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        reply = await this.send(envelope, { timeout: o.authTimeout * 1000, signal: this.stop.signal });
        break;
      } catch (error) {
        const typed = toBrineError(error, ErrorCodes.AUTH_FAILED);
        if (attempt >= o.authTries || this.stop.signal.aborted) throw typed;
        this.logger.debug(`Sign-in send ${attempt}/${o.authTries} failed: ${typed.message}`);
      }
    }
    const masterSignKey = o.verifyMasterPubkeySign || o.alwaysVerifySignature ? await this.masterSignKey() : undefined;
    const verifyOptions = {
      verifyMasterPubkeySign: o.verifyMasterPubkeySign,
      alwaysVerifySignature: o.alwaysVerifySignature,
      ...(masterSignKey ? { masterSignKey } : {}),
    };
    const outcome = await verifySignIn(ctx, request, reply, verifyOptions);
    if (outcome.kind === 'accepted') {
      this.logger.debug('Decrypting the current master AES key');
      if (o.masterFinger) {
        const finger = pemFinger(outcome.masterPem, this.suite);
        if (finger !== o.masterFinger) {
          throw new AuthError(
            ErrorCodes.MASTER_KEY_CHANGED,
            `the master fingerprint ${finger} does not match master_finger`,
          );
        }
      }
      if (outcome.pinMaster) await this.store.writeFile('minion_master.pub', outcome.masterPem);
    }
    return outcome;
  }

  private async masterSignKey(): Promise<PublicKey | undefined> {
    const pem = await this.store.readFile(`${this.o.masterSignKeyName}.pub`);
    if (pem === undefined) {
      this.logger.error(
        `Verification public key ${this.o.masterSignKeyName}.pub does not exist. You need to copy it from the master to the minions pki directory`,
      );
      return undefined;
    }
    return this.suite.importPublicKey(pem);
  }

  private accept(outcome: { aes: string; session: string | undefined; publishPort: number }): AuthCredentials {
    const previous = this.current;
    const sameAes = previous?.aes === outcome.aes;
    const sameSession = previous?.session === outcome.session;
    if (!previous) this.logger.debug(`${this.describe()} Got new master aes key.`);
    else if (!sameAes) this.logger.debug(`${this.describe()} The master's aes key has changed.`);
    const creds: AuthCredentials = {
      aes: outcome.aes,
      session: outcome.session,
      publishPort: outcome.publishPort,
      masterUri: this.o.masterUri,
      // Keep the Crypticle (and its publish serial) when the key did not change.
      crypticle: sameAes && previous ? previous.crypticle : Crypticle.fromKey(this.suite, outcome.aes),
      sessionCrypticle:
        sameSession && previous
          ? previous.sessionCrypticle
          : outcome.session === undefined
            ? undefined
            : Crypticle.fromKey(this.suite, outcome.session),
    };
    this.current = creds;
    this.cache?.set(this.cacheKey, creds);
    this.transition('authenticated');
    this.events.emit('authenticated', creds);
    return creds;
  }

  private describe(): string {
    return `AsyncAuth(${this.o.id}, ${this.o.masterUri})`;
  }
}

/** The wait for a "busy, retry after" hint: within [0.8, 1.2)× the hint, clamped to [0.05 s, 300 s]. */
function busyPause(retryAfter: number, random: () => number): number {
  const hint = Math.min(300, Math.max(0.05, retryAfter));
  return hint * (0.8 + 0.4 * random());
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
