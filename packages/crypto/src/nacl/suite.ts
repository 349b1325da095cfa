import type {
  AlgoOptions,
  CryptoSuite,
  DigestAlgorithm,
  KeyPair,
  PrivateKey,
  PublicKey,
  SessionCipher,
} from '@brine/contracts';
import { pickAlgo } from '../common/algos.js';
import type { RandomSource } from '../common/random.js';
import { pureDigest } from '../common/pure-digest.js';
import * as keys from './keys.js';
import * as sealedBox from './sealed-box.js';
import { secretboxCipher, sessionKeyString } from './session.js';
import { nacl } from './tweetnacl.js';

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

  constructor(options: NaclSuiteOptions = {}) {
    this.randomBytes = options.randomBytes ?? ((length) => nacl.randomBytes(length));
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
    return sealedBox.seal(keys.asPublic(key), data, this.randomBytes);
  }

  async open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    pickAlgo(this.encAlgos, options);
    return sealedBox.open(keys.asPrivate(key), data);
  }

  async sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    pickAlgo(this.sigAlgos, options);
    return nacl.sign.detached(data, keys.asPrivate(key).signSecretKey);
  }

  async verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    pickAlgo(this.sigAlgos, options);
    const publicKey = keys.asPublic(key);
    if (!(signature instanceof Uint8Array) || signature.length !== nacl.sign.signatureLength) return false;
    return nacl.sign.detached.verify(data, signature, publicKey.signPublicKey);
  }

  /** Ed25519 with the message attached: `signature(64) ‖ message`. */
  async signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    return nacl.sign(message, keys.asPrivate(key).signSecretKey);
  }

  async recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined> {
    const publicKey = keys.asPublic(key);
    if (!(signature instanceof Uint8Array) || signature.length < nacl.sign.signatureLength) return undefined;
    return nacl.sign.open(signature, publicKey.signPublicKey) ?? undefined;
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
