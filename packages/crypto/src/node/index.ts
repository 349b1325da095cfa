export { createNodeSaltSuite, NodeSaltSuite } from './suite.js';
export type { NodeSaltSuiteOptions } from './suite.js';
export { NodeRsaPrivateKey, NodeRsaPublicKey } from './keys.js';
export type { RandomSource } from '../common/random.js';
export { createNodeNaclSuite, NodeNaclSuite } from './nacl.js';
