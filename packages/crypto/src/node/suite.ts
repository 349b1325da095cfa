import { createHash, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import {
  type AlgoOptions,
  type CryptoSuite,
  type DigestAlgorithm,
  type KeyPair,
  type PrivateKey,
  type PublicKey,
  type SessionCipher,
} from '@brine/contracts';
import { extractSaltKeys, saltKeyString, SALT_SESSION_KEY_BYTES } from '../salt/salt-key.js';
import { checkDigest, SALT_ENC_ALGOS, SALT_SIG_ALGOS, saltHash } from '../common/algos.js';
import { cryptoError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import { checkRsaBits } from '../common/rsa-bits.js';
import { u8 } from './bytes.js';
import * as keys from './keys.js';
import * as rsa from './rsa.js';
import { randomPool } from './random-pool.js';
import { nodeSaltSessionCipher, type RandomFill } from './session.js';

const generateRsa = promisify(generateKeyPair);

export interface NodeSaltSuiteOptions {
  /**
   * Replaces node:crypto's randomness for IVs and session keys (tests pin Salt's vectors with it).
   * OAEP padding always uses OpenSSL's own generator.
   */
  randomBytes?: RandomSource;
}

/** Salt's crypto (RSA-OAEP, PKCS#1 v1.5, X9.31, Crypticle) on node:crypto; keys are KeyObjects. */
/** Imported public keys kept per suite (oldest evicted first). */
const PUBLIC_KEY_CACHE = 4096;

export class NodeSaltSuite implements CryptoSuite {
  readonly id = 'salt';
  readonly backend = 'node';
  readonly encAlgos: readonly string[] = SALT_ENC_ALGOS;
  readonly sigAlgos: readonly string[] = SALT_SIG_ALGOS;
  readonly randomBytes: RandomSource;
  private readonly fillRandom: RandomFill;
  private readonly publicKeys = new Map<string, PublicKey>();

  constructor(options: NodeSaltSuiteOptions = {}) {
    const custom = options.randomBytes;
    if (custom) {
      this.randomBytes = custom;
      this.fillRandom = (target) => target.set(custom(target.length));
    } else {
      const pool = randomPool();
      this.randomBytes = pool.bytes;
      this.fillRandom = pool.fill;
    }
  }

  async generateKeyPair(options: { bits?: number } = {}): Promise<KeyPair> {
    const bits = checkRsaBits(options.bits);
    try {
      const pair = await generateRsa('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      return {
        privateKey: new keys.NodeRsaPrivateKey(pair.privateKey),
        publicKey: new keys.NodeRsaPublicKey(pair.publicKey),
      };
    } catch (error) {
      throw cryptoError('RSA key generation failed', error);
    }
  }

  importPrivateKey(text: string): PrivateKey {
    return keys.importPrivateKey(text);
  }

  /**
   * Parsing a PEM costs as much as a public-key operation, and the same few keys (the master's, each
   * minion's) are read on every sign-in: imported keys are remembered by their text (bounded).
   */
  importPublicKey(text: string): PublicKey {
    const cached = this.publicKeys.get(text);
    if (cached) return cached;
    const key = keys.importPublicKey(text);
    if (this.publicKeys.size >= PUBLIC_KEY_CACHE) this.publicKeys.delete(this.publicKeys.keys().next().value!);
    this.publicKeys.set(text, key);
    return key;
  }

  exportPrivateKey(key: PrivateKey): string {
    return keys.exportPrivateKey(keys.asPrivate(key));
  }

  exportPublicKey(key: PublicKey): string {
    return keys.exportPublicKey(keys.asPublic(key));
  }

  publicKeyOf(key: PrivateKey): PublicKey {
    return keys.publicKeyOf(keys.asPrivate(key));
  }

  async seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return rsa.oaepEncrypt(keys.asPublic(key), data, saltHash(this.encAlgos, options));
  }

  async open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return rsa.oaepDecrypt(keys.asPrivate(key), data, saltHash(this.encAlgos, options));
  }

  async sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return rsa.pkcs1Sign(keys.asPrivate(key), data, saltHash(this.sigAlgos, options));
  }

  async verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean> {
    return rsa.pkcs1Verify(keys.asPublic(key), data, signature, saltHash(this.sigAlgos, options));
  }

  async signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array> {
    return rsa.x931Sign(keys.asPrivate(key), message);
  }

  async recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined> {
    return rsa.x931Recover(keys.asPublic(key), signature);
  }

  generateSessionKey(): string {
    return saltKeyString(this.randomBytes(SALT_SESSION_KEY_BYTES));
  }

  sessionCipher(key: string): SessionCipher {
    return nodeSaltSessionCipher(extractSaltKeys(key), this.fillRandom);
  }

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return u8(createHash(checkDigest(algorithm)).update(data).digest());
  }
}

export function createNodeSaltSuite(options?: NodeSaltSuiteOptions): NodeSaltSuite {
  return new NodeSaltSuite(options);
}
