import {
  isBrineError,
  type AlgoOptions,
  type CryptoSuite,
  type DigestAlgorithm,
  type KeyPair,
  type PrivateKey,
  type PublicKey,
  type SessionCipher,
} from '@brine/contracts';
import { extractSaltKeys, saltKeyString, SALT_SESSION_KEY_BYTES } from '../salt/salt-key.js';
import { checkDigest, SALT_ENC_ALGOS, SALT_SIG_ALGOS, saltHash } from './algos.js';
import { cryptoError } from './errors.js';
import type { RandomSource } from './random.js';
import { checkRsaBits } from './rsa-bits.js';
import type { SaltBackend } from './salt-backend.js';
import { x931Denormalize, x931Normalize, x931Pad, x931Unpad } from './x931.js';

/** Runs a backend primitive; what its library throws becomes CryptoError `ERR_CRYPTO` (typed errors pass). */
function wrapped<T>(message: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isBrineError(error)) throw error;
    throw cryptoError(message, error);
  }
}

/**
 * Salt's crypto, written once over a `SaltBackend`: RSAES-OAEP (`seal`/`open`), RSASSA-PKCS1-v1_5
 * (`sign`/`verify`), OpenSSL's X9.31 as Salt's `rsax931` uses it (`signToken`/`recoverToken`) and
 * the Crypticle session cipher. `NodeSaltSuite` and `ForgeSaltSuite` only choose the backend.
 */
export abstract class SaltSuite implements CryptoSuite {
  readonly id = 'salt';
  abstract readonly backend: string;
  readonly encAlgos: readonly string[] = SALT_ENC_ALGOS;
  readonly sigAlgos: readonly string[] = SALT_SIG_ALGOS;
  readonly randomBytes: RandomSource;
  readonly #ops: SaltBackend;

  protected constructor(ops: SaltBackend) {
    this.#ops = ops;
    this.randomBytes = ops.randomBytes;
  }

  async generateKeyPair(options: { bits?: number } = {}): Promise<KeyPair> {
    const bits = checkRsaBits(options.bits);
    try {
      return await this.#ops.generateKeyPair(bits);
    } catch (error) {
      throw cryptoError('RSA key generation failed', error);
    }
  }

  importPrivateKey(text: string): PrivateKey {
    return this.#ops.importPrivateKey(text);
  }

  importPublicKey(text: string): PublicKey {
    return this.#ops.importPublicKey(text);
  }

  exportPrivateKey(key: PrivateKey): string {
    return this.#ops.exportPrivateKey(this.#ops.asPrivate(key));
  }

  exportPublicKey(key: PublicKey): string {
    return this.#ops.exportPublicKey(this.#ops.asPublic(key));
  }

  publicKeyOf(key: PrivateKey): PublicKey {
    return this.#ops.publicKeyOf(this.#ops.asPrivate(key));
  }

  async seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    const publicKey = this.#ops.asPublic(key);
    const hash = saltHash(this.encAlgos, options);
    return wrapped('RSA-OAEP encryption failed', () => this.#ops.oaepEncrypt(publicKey, data, hash));
  }

  async open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    const privateKey = this.#ops.asPrivate(key);
    const hash = saltHash(this.encAlgos, options);
    return wrapped('RSA-OAEP decryption failed', () => this.#ops.oaepDecrypt(privateKey, data, hash));
  }

  async sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    const privateKey = this.#ops.asPrivate(key);
    const hash = saltHash(this.sigAlgos, options);
    return wrapped('RSA PKCS#1 v1.5 signing failed', () => this.#ops.pkcs1Sign(privateKey, data, hash));
  }

  async verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    const publicKey = this.#ops.asPublic(key);
    return this.#ops.pkcs1Verify(publicKey, data, signature, saltHash(this.sigAlgos, options));
  }

  /** Salt's `rsax931.RSAX931Signer.sign`: raw RSA over the X9.31 block, then `min(s, n − s)`. */
  async signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    const privateKey = this.#ops.asPrivate(key);
    const block = x931Pad(message, privateKey.size);
    const s = wrapped('RSA X9.31 signing failed', () => this.#ops.rawPrivate(privateKey, block));
    return x931Normalize(s, privateKey.modulus);
  }

  /** Salt's `rsax931.RSAX931Verifier.verify`: the message, or undefined when `signature` is not one. */
  async recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined> {
    const publicKey = this.#ops.asPublic(key);
    if (signature.length !== publicKey.size) return undefined;
    const m = this.#ops.rawPublic(publicKey, signature);
    return m === undefined ? undefined : x931Unpad(x931Denormalize(m, publicKey.modulus));
  }

  generateSessionKey(): string {
    return saltKeyString(this.randomBytes(SALT_SESSION_KEY_BYTES));
  }

  sessionCipher(key: string): SessionCipher {
    return this.#ops.sessionCipher(extractSaltKeys(key));
  }

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return this.#ops.digest(checkDigest(algorithm), data);
  }
}
