// The key classes stay internal: their types would pull @types/node-forge into consumers' builds.
export { createForgeSaltSuite, ForgeSaltSuite } from './suite.js';
export type { ForgeSaltSuiteOptions } from './suite.js';
export type { RandomSource } from '../common/random.js';
