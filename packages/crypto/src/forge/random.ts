import type { RandomSource } from '../common/random.js';
import { fromBinary } from './binary.js';
import { forge } from './forge.js';

const MAX_GET_RANDOM_VALUES = 65536;

/** WebCrypto's `getRandomValues` where the runtime has it (browsers, Node ≥ 19), else forge's PRNG. */
export const defaultRandomBytes: RandomSource = (length) => {
  const webcrypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof webcrypto?.getRandomValues !== 'function') return fromBinary(forge.random.getBytesSync(length));
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += MAX_GET_RANDOM_VALUES) {
    webcrypto.getRandomValues(out.subarray(i, Math.min(length, i + MAX_GET_RANDOM_VALUES)));
  }
  return out;
};
