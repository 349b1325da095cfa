export { createNaclSuite, NaclSuite } from './suite.js';
export type { NaclSuiteOptions } from './suite.js';
export type { NaclBackend } from './backend.js';
export { NaclPrivateKey, NaclPublicKey, NACL_PRIVATE_LABEL, NACL_PUBLIC_LABEL } from './keys.js';
export type { RandomSource } from '../common/random.js';
