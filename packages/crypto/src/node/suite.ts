import { createHash, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { RandomSource } from '../common/random.js';
import type { SaltBackend } from '../common/salt-backend.js';
import { SaltSuite } from '../common/salt-suite.js';
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

/** Imported public keys kept per suite (oldest evicted first). */
const PUBLIC_KEY_CACHE = 4096;

/** The Salt suite's primitives on node:crypto; keys are KeyObjects. */
function nodeSaltBackend(options: NodeSaltSuiteOptions): SaltBackend<keys.NodeRsaPrivateKey, keys.NodeRsaPublicKey> {
  const custom = options.randomBytes;
  let randomBytes: RandomSource;
  let fillRandom: RandomFill;
  if (custom) {
    randomBytes = custom;
    fillRandom = (target) => target.set(custom(target.length));
  } else {
    const pool = randomPool();
    randomBytes = pool.bytes;
    fillRandom = pool.fill;
  }
  const publicKeys = new Map<string, keys.NodeRsaPublicKey>();
  return {
    randomBytes,
    async generateKeyPair(bits) {
      const pair = await generateRsa('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      return {
        privateKey: new keys.NodeRsaPrivateKey(pair.privateKey),
        publicKey: new keys.NodeRsaPublicKey(pair.publicKey),
      };
    },
    ...keys,
    ...rsa,
    /**
     * Parsing a PEM costs as much as a public-key operation, and the same few keys (the master's, each
     * minion's) are read on every sign-in: imported keys are remembered by their text (bounded).
     */
    importPublicKey(text) {
      const cached = publicKeys.get(text);
      if (cached) return cached;
      const key = keys.importPublicKey(text);
      if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.delete(publicKeys.keys().next().value!);
      publicKeys.set(text, key);
      return key;
    },
    sessionCipher: (sessionKeys) => nodeSaltSessionCipher(sessionKeys, fillRandom),
    digest: (algorithm, data) => u8(createHash(algorithm).update(data).digest()),
  };
}

/** Salt's crypto (RSA-OAEP, PKCS#1 v1.5, X9.31, Crypticle) on node:crypto; keys are KeyObjects. */
export class NodeSaltSuite extends SaltSuite {
  readonly backend = 'node';

  constructor(options: NodeSaltSuiteOptions = {}) {
    super(nodeSaltBackend(options));
  }
}

export function createNodeSaltSuite(options?: NodeSaltSuiteOptions): NodeSaltSuite {
  return new NodeSaltSuite(options);
}
