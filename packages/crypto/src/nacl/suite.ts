import {
  bytes,
  type AlgoOptions,
  type CryptoSuite,
  type DigestAlgorithm,
  type KeyPair,
  type PrivateKey,
  type PublicKey,
  type SessionCipher,
} from '@brine/contracts';
import { pickAlgo } from '../common/algos.js';
import type { RandomSource } from '../common/random.js';
import { pureDigest } from '../common/pure-digest.js';
import type { NaclBackend } from './backend.js';
import * as keys from './keys.js';
import * as sealedBox from './sealed-box.js';
import { secretboxCipher, sessionKeyString } from './session.js';
import { nacl } from './tweetnacl.js';
import { tweetnaclBackend } from './tweetnacl-backend.js';

const SIGNATURE = nacl.sign.signatureLength;

export interface NaclSuiteOptions {
  /** Replaces tweetnacl's randomness for keys, ephemeral keys and nonces (tests only). */
  randomBytes?: RandomSource;
}

/**
 * The NaCl suite for Brine-to-Brine links (Salt does not speak it): X25519 sealed boxes,
 * Ed25519 signatures, XSalsa20-Poly1305 sessions. Pure JS on tweetnacl; runs in browsers.
 */
export class NaclSuite implements CryptoSuite {
  readonly id = 'nacl';
  readonly backend: string = 'tweetnacl';
  readonly encAlgos: readonly string[] = ['X25519-XSalsa20Poly1305'];
  readonly sigAlgos: readonly string[] = ['Ed25519'];
  readonly randomBytes: RandomSource;
  readonly #ops: NaclBackend;

  constructor(options: NaclSuiteOptions = {}) {
    this.randomBytes = options.randomBytes ?? ((length) => nacl.randomBytes(length));
    this.#ops = this.createBackend(options);
  }

  /** The primitives this suite runs on (tweetnacl here; `NodeNaclSuite` picks node:crypto). */
  protected createBackend(_options: NaclSuiteOptions): NaclBackend {
    return tweetnaclBackend;
  }

  /** Curve keys have one size: `bits` is ignored. */
  async generateKeyPair(): Promise<KeyPair> {
    const privateKey = new keys.NaclPrivateKey(this.randomBytes(32), this.randomBytes(32));
    return { privateKey, publicKey: privateKey.publicKey };
  }

  importPrivateKey(text: string): PrivateKey {
    return keys.importPrivateKey(text);
  }

  importPublicKey(text: string): PublicKey {
    return keys.importPublicKey(text);
  }

  exportPrivateKey(key: PrivateKey): string {
    return keys.exportPrivateKey(keys.asPrivate(key));
  }

  exportPublicKey(key: PublicKey): string {
    return keys.exportPublicKey(keys.asPublic(key));
  }

  publicKeyOf(key: PrivateKey): PublicKey {
    return keys.asPrivate(key).publicKey;
  }

  async seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    pickAlgo(this.encAlgos, options);
    return sealedBox.seal(this.#ops, keys.asPublic(key), data, this.randomBytes);
  }

  async open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    pickAlgo(this.encAlgos, options);
    return sealedBox.open(this.#ops, keys.asPrivate(key), data);
  }

  async sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    pickAlgo(this.sigAlgos, options);
    return this.#ops.signer(keys.asPrivate(key))(data);
  }

  async verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    pickAlgo(this.sigAlgos, options);
    const verifyWith = this.#ops.verifier(keys.asPublic(key));
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE) return false;
    return verifyWith(data, signature);
  }

  /** Ed25519 with the message attached: `signature(64) ‖ message`. */
  async signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    return bytes.concatBytes([this.#ops.signer(keys.asPrivate(key))(message), message]);
  }

  async recoverToken(key: PublicKey, signed: Uint8Array): Promise<Uint8Array | undefined> {
    const verifyWith = this.#ops.verifier(keys.asPublic(key));
    if (!(signed instanceof Uint8Array) || signed.length < SIGNATURE) return undefined;
    const message = signed.subarray(SIGNATURE);
    return verifyWith(message, signed.subarray(0, SIGNATURE)) ? message.slice() : undefined;
  }

  generateSessionKey(): string {
    return sessionKeyString(this.randomBytes);
  }

  sessionCipher(key: string): SessionCipher {
    return secretboxCipher(key, this.randomBytes);
  }

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return pureDigest(algorithm, data);
  }
}

export function createNaclSuite(options?: NaclSuiteOptions): NaclSuite {
  return new NaclSuite(options);
}
