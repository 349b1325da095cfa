export type {
  AlgoOptions,
  CryptoSuite,
  DigestAlgorithm,
  KeyPair,
  PrivateKey,
  PublicKey,
  SaltEncAlgo,
  SaltSigAlgo,
  SessionCipher,
} from './suite.js';
export { Crypticle } from './crypticle.js';
export type { CrypticleLoadsOptions, CrypticleOptions } from './crypticle.js';
export {
  extractSaltKeys,
  saltKeyString,
  SALT_AES_KEY_BYTES,
  SALT_HMAC_KEY_BYTES,
  SALT_SESSION_KEY_BYTES,
} from './salt-key.js';
export type { SaltSessionKeys } from './salt-key.js';
