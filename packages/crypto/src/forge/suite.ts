import type { RandomSource } from '../common/random.js';
import { pureDigest } from '../common/pure-digest.js';
import { saltSessionCipher } from '../common/salt-cipher.js';
import type { SaltBackend } from '../common/salt-backend.js';
import { SaltSuite } from '../common/salt-suite.js';
import { forge } from './forge.js';
import * as keys from './keys.js';
import { defaultRandomBytes } from './random.js';
import * as rsa from './rsa.js';
import { forgeAesCbcHmac } from './session.js';

export interface ForgeSaltSuiteOptions {
  /** Replaces the randomness for IVs, session keys and OAEP seeds (tests pin Salt's vectors with it). */
  randomBytes?: RandomSource;
}

/** The Salt suite's primitives on node-forge, hashes on @noble/hashes. */
function forgeSaltBackend(
  options: ForgeSaltSuiteOptions,
): SaltBackend<keys.ForgeRsaPrivateKey, keys.ForgeRsaPublicKey> {
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  return {
    randomBytes,
    /** forge hands key generation to node:crypto when it runs in Node, and computes it in JS elsewhere. */
    generateKeyPair: (bits) =>
      new Promise((resolve, reject) => {
        forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (error, pair) => {
          if (error) {
            reject(error);
            return;
          }
          resolve({
            privateKey: new keys.ForgeRsaPrivateKey(pair.privateKey),
            publicKey: new keys.ForgeRsaPublicKey(pair.publicKey),
          });
        });
      }),
    ...keys,
    ...rsa,
    oaepEncrypt: (key, data, hash) => rsa.oaepEncrypt(key, data, hash, randomBytes),
    sessionCipher: (sessionKeys) => saltSessionCipher(forgeAesCbcHmac(sessionKeys), randomBytes),
    digest: pureDigest,
  };
}

/**
 * Salt's crypto on node-forge: pure JS, no Node built-ins, for browsers and other runtimes without
 * node:crypto. 30–80× slower than the node suite for RSA private-key operations.
 */
export class ForgeSaltSuite extends SaltSuite {
  readonly backend = 'forge';

  constructor(options: ForgeSaltSuiteOptions = {}) {
    super(forgeSaltBackend(options));
  }
}

export function createForgeSaltSuite(options?: ForgeSaltSuiteOptions): ForgeSaltSuite {
  return new ForgeSaltSuite(options);
}
