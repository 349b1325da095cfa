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
import { SALT_ENC_ALGOS, SALT_SIG_ALGOS, saltHash } from '../common/algos.js';
import { cryptoError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import { checkRsaBits } from '../common/rsa-bits.js';
import { saltSessionCipher } from '../common/salt-cipher.js';
import { forgeDigest } from './digest.js';
import { forge } from './forge.js';
import * as keys from './keys.js';
import { defaultRandomBytes } from './random.js';
import * as rsa from './rsa.js';
import { forgeAesCbcHmac } from './session.js';

export interface ForgeSaltSuiteOptions {
  /** Replaces the randomness for IVs, session keys and OAEP seeds (tests pin Salt's vectors with it). */
  randomBytes?: RandomSource;
}

/**
 * Salt's crypto on node-forge: pure JS, no Node built-ins, for browsers and other runtimes without
 * node:crypto. 30–80× slower than the node suite for RSA private-key operations.
 */
export class ForgeSaltSuite implements CryptoSuite {
  readonly id = 'salt';
  readonly backend = 'forge';
  readonly encAlgos: readonly string[] = SALT_ENC_ALGOS;
  readonly sigAlgos: readonly string[] = SALT_SIG_ALGOS;
  readonly randomBytes: RandomSource;

  constructor(options: ForgeSaltSuiteOptions = {}) {
    this.randomBytes = options.randomBytes ?? defaultRandomBytes;
  }

  /** forge hands key generation to node:crypto when it runs in Node, and computes it in JS elsewhere. */
  generateKeyPair(options: { bits?: number } = {}): Promise<KeyPair> {
    const bits = checkRsaBits(options.bits);
    return new Promise((resolve, reject) => {
      forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (error, pair) => {
        if (error) {
          reject(cryptoError('RSA key generation failed', error));
          return;
        }
        resolve({
          privateKey: new keys.ForgeRsaPrivateKey(pair.privateKey),
          publicKey: new keys.ForgeRsaPublicKey(pair.publicKey),
        });
      });
    });
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
    return keys.publicKeyOf(keys.asPrivate(key));
  }

  async seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array> {
    return rsa.oaepEncrypt(keys.asPublic(key), data, saltHash(this.encAlgos, options), this.randomBytes);
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
    return saltSessionCipher(forgeAesCbcHmac(extractSaltKeys(key)), this.randomBytes);
  }

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return forgeDigest(algorithm, data);
  }
}

export function createForgeSaltSuite(options?: ForgeSaltSuiteOptions): ForgeSaltSuite {
  return new ForgeSaltSuite(options);
}
