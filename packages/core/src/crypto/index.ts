export { Crypticle } from './crypticle.js';
export type { CrypticleLoadsOptions, CrypticleOptions } from './crypticle.js';
