/**
 * @packageDocumentation
 * Crypto suites for Brine. The Salt suite on node:crypto is the default backend; the same suite on
 * node-forge (`@brine/crypto/forge`) and the NaCl suite (`@brine/crypto/nacl`) need no Node built-ins.
 */
export { createNodeSaltSuite, NodeSaltSuite, createNodeNaclSuite, NodeNaclSuite } from './node/index.js';
export type { NodeSaltSuiteOptions } from './node/index.js';
export { createForgeSaltSuite, ForgeSaltSuite } from './forge/index.js';
export type { ForgeSaltSuiteOptions } from './forge/index.js';
export { createNaclSuite, NaclSuite } from './nacl/index.js';
export type { NaclSuiteOptions } from './nacl/index.js';
export type { RandomSource } from './common/random.js';
export {
  extractSaltKeys,
  saltKeyString,
  SALT_AES_KEY_BYTES,
  SALT_HMAC_KEY_BYTES,
  SALT_SESSION_KEY_BYTES,
} from './salt/salt-key.js';
export type { SaltSessionKeys } from './salt/salt-key.js';
