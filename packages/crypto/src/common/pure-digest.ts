import type { DigestAlgorithm } from '@brine/contracts';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha512 } from '@noble/hashes/sha2.js';
import { checkDigest } from './algos.js';

/** Incremental hashes from `@noble/hashes` (pure JS, no Node built-ins) for the forge and NaCl backends. */
export const PURE_HASHES = { sha1, sha224, sha256, sha512 } as const satisfies Record<DigestAlgorithm, unknown>;

/** One-shot digest in pure JS; rejects names outside the contract's list. */
export function pureDigest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return PURE_HASHES[checkDigest(algorithm)](data);
}
