/**
 * A CryptoSuite that runs the private-key operations (`open`, `sign`, `signToken`: ~0.2 ms each
 * for RSA-2048, ~5x more for 4096) in a {@link WorkerPool}, so a master's handshakes use every
 * core whatever the transport. Everything else (seal, verify, recoverToken, session ciphers,
 * digests, keys) stays on the calling thread in `base`: those are cheaper than a thread hop.
 *
 * Each worker builds its own suite: `(await import(module))[exportName](factoryOptions)`, so the
 * backend is named, not passed (`factoryOptions` must survive structured clone: no functions).
 * `module` is resolved from @brine/core's own location; pass an absolute `file:` URL
 * (`import.meta.resolve('@brine/crypto/node')` in the app) when @brine/core cannot see the
 * backend package. A private key is sent to the workers once, as `base.exportPrivateKey(key)`
 * PEM, the first time it is used; workers started later (replacements) get it before any task,
 * and forget it once the key object is garbage-collected.
 *
 * The contract has no `close()`: {@link PooledCryptoSuite} is a CryptoSuite with `close()` (stops
 * the workers; later private-key ops reject with ERR_CLOSED) and `ready()`.
 */
import {
  type AlgoOptions,
  type CryptoSuite,
  type DigestAlgorithm,
  type KeyPair,
  type PrivateKey,
  type PublicKey,
  type SessionCipher,
  ConfigError,
  ErrorCodes,
  type Logger,
} from '@brine/contracts';
import type { CryptoWorkerData, CryptoWorkerInfo } from './crypto-worker.js';
import { WorkerPool } from './worker-pool.js';

export interface PooledSuiteOptions {
  /** Module that exports the suite factory in each worker, e.g. `@brine/crypto/node`. */
  module: string;
  /** The factory's export name, e.g. `createNodeSaltSuite`. */
  exportName: string;
  /** Passed to the factory (structured-cloned). */
  factoryOptions?: unknown;
  /** Workers. Default `os.availableParallelism()`. */
  size?: number;
  /** See {@link WorkerPoolOptions}: per-worker bound and pool queue (ERR_QUEUE_FULL beyond). */
  maxInFlightPerWorker?: number;
  maxQueued?: number;
  /** Let the process exit while the pool is idle. Default false. */
  unref?: boolean;
  logger?: Logger;
}

const WORKER_URL = new URL('./crypto-worker.js', import.meta.url);

export class PooledCryptoSuite implements CryptoSuite {
  readonly id: string;
  readonly backend: string;
  readonly encAlgos: readonly string[];
  readonly sigAlgos: readonly string[];
  /** The workers (stats, diagnostics). */
  readonly pool: WorkerPool;
  readonly #base: CryptoSuite;
  readonly #keyIds = new WeakMap<PrivateKey, number>();
  readonly #collected: FinalizationRegistry<number>;
  #nextKeyId = 1;
  #authLane: AuthLane | undefined;

  constructor(base: CryptoSuite, options: PooledSuiteOptions) {
    this.#base = base;
    this.id = base.id;
    this.backend = base.backend;
    this.encAlgos = base.encAlgos;
    this.sigAlgos = base.sigAlgos;
    const workerData: CryptoWorkerData = {
      module: options.module,
      exportName: options.exportName,
      factoryOptions: options.factoryOptions,
    };
    this.pool = new WorkerPool({
      module: WORKER_URL,
      workerData,
      errorCode: ErrorCodes.CRYPTO,
      size: options.size,
      maxInFlightPerWorker: options.maxInFlightPerWorker,
      maxQueued: options.maxQueued,
      unref: options.unref,
      logger: options.logger,
    });
    this.#collected = new FinalizationRegistry((keyId) => this.#forget(keyId));
  }

  /** Resolves once every worker has loaded the backend; rejects (ERR_CONFIG) if one could not or its suite id differs. */
  async ready(): Promise<void> {
    await this.pool.ready();
    const infos = (await this.pool.broadcast('describe')) as CryptoWorkerInfo[];
    const other = infos.find((info) => info.id !== this.id);
    if (other !== undefined) {
      throw new ConfigError(
        ErrorCodes.CONFIG,
        `Worker suite "${other.id}" (${other.backend}) does not match base suite "${this.id}"`,
      );
    }
  }

  /** Terminates the workers; pending and later private-key ops reject with ERR_CLOSED. Idempotent. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.privateOp('open', key, [data, options], 'normal');
  }

  async sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.privateOp('sign', key, [data, options], 'normal');
  }

  async signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    return this.privateOp('signToken', key, [message], 'normal');
  }

  /**
   * The suite's lanes for a master (core's `suiteLanes`): `auth`, this suite with its private-key
   * operations queued at low priority (sign-ins wait behind signed-in minions' requests), and
   * `inline`, the base suite on the calling thread (what signs a "busy, retry after" answer while
   * the pool is full).
   */
  lanes(): { auth: CryptoSuite; inline: CryptoSuite } {
    this.#authLane ??= new AuthLane(this);
    return { auth: this.#authLane, inline: this.#base };
  }

  /** @internal A private-key operation on the pool, at `priority`. */
  privateOp(
    op: 'open' | 'sign' | 'signToken',
    key: PrivateKey,
    args: unknown[],
    priority: 'normal' | 'low',
  ): Promise<Uint8Array> {
    return this.pool.run<Uint8Array>(op, [this.#keyId(key), ...args], undefined, { priority });
  }

  seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.#base.seal(key, data, options);
  }

  verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    return this.#base.verify(key, data, signature, options);
  }

  recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#base.recoverToken(key, signature);
  }

  generateKeyPair(options?: { bits?: number }): Promise<KeyPair> {
    return this.#base.generateKeyPair(options);
  }

  importPrivateKey(text: string): PrivateKey {
    return this.#base.importPrivateKey(text);
  }

  importPublicKey(text: string): PublicKey {
    return this.#base.importPublicKey(text);
  }

  exportPrivateKey(key: PrivateKey): string {
    return this.#base.exportPrivateKey(key);
  }

  exportPublicKey(key: PublicKey): string {
    return this.#base.exportPublicKey(key);
  }

  publicKeyOf(key: PrivateKey): PublicKey {
    return this.#base.publicKeyOf(key);
  }

  generateSessionKey(): string {
    return this.#base.generateSessionKey();
  }

  sessionCipher(key: string): SessionCipher {
    return this.#base.sessionCipher(key);
  }

  randomBytes(length: number): Uint8Array {
    return this.#base.randomBytes(length);
  }

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return this.#base.digest(algorithm, data);
  }

  /** The workers' id for `key`, registering it on first use (throws for a key `base` cannot export). */
  #keyId(key: PrivateKey): number {
    let keyId = this.#keyIds.get(key);
    if (keyId !== undefined) return keyId;
    const pem = this.#base.exportPrivateKey(key);
    keyId = this.#nextKeyId++;
    this.#keyIds.set(key, keyId);
    this.#collected.register(key, keyId);
    // A failed import is kept by the worker and reported by the task that uses the key.
    this.pool.addSetup(`key:${keyId}`, 'key', [keyId, pem]).catch(() => {});
    return keyId;
  }

  #forget(keyId: number): void {
    this.pool.removeSetup(`key:${keyId}`);
    if (!this.pool.closed) this.pool.broadcast('forget', [keyId]).catch(() => {});
  }
}

/** A pooled suite whose private-key operations queue at low priority (see `PooledCryptoSuite.lanes`). */
class AuthLane implements CryptoSuite {
  readonly id: string;
  readonly backend: string;
  readonly encAlgos: readonly string[];
  readonly sigAlgos: readonly string[];

  constructor(private readonly pooled: PooledCryptoSuite) {
    this.id = pooled.id;
    this.backend = pooled.backend;
    this.encAlgos = pooled.encAlgos;
    this.sigAlgos = pooled.sigAlgos;
  }

  open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.pooled.privateOp('open', key, [data, options], 'low');
  }
  sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.pooled.privateOp('sign', key, [data, options], 'low');
  }
  signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    return this.pooled.privateOp('signToken', key, [message], 'low');
  }
  seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return this.pooled.seal(key, data, options);
  }
  verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    return this.pooled.verify(key, data, signature, options);
  }
  recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined> {
    return this.pooled.recoverToken(key, signature);
  }
  generateKeyPair(options?: { bits?: number }): Promise<KeyPair> {
    return this.pooled.generateKeyPair(options);
  }
  importPrivateKey(text: string): PrivateKey {
    return this.pooled.importPrivateKey(text);
  }
  importPublicKey(text: string): PublicKey {
    return this.pooled.importPublicKey(text);
  }
  exportPrivateKey(key: PrivateKey): string {
    return this.pooled.exportPrivateKey(key);
  }
  exportPublicKey(key: PublicKey): string {
    return this.pooled.exportPublicKey(key);
  }
  publicKeyOf(key: PrivateKey): PublicKey {
    return this.pooled.publicKeyOf(key);
  }
  generateSessionKey(): string {
    return this.pooled.generateSessionKey();
  }
  sessionCipher(key: string): SessionCipher {
    return this.pooled.sessionCipher(key);
  }
  randomBytes(length: number): Uint8Array {
    return this.pooled.randomBytes(length);
  }
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return this.pooled.digest(algorithm, data);
  }
}

export function createPooledSuite(base: CryptoSuite, options: PooledSuiteOptions): PooledCryptoSuite {
  return new PooledCryptoSuite(base, options);
}
