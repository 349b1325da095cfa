import type { AlgoOptions, DigestAlgorithm } from '@brine/contracts';
import { invalidArgument } from './errors.js';

/** Salt's `enc_algo` names, default first. */
export const SALT_ENC_ALGOS = ['OAEP-SHA1', 'OAEP-SHA224'] as const;
/** Salt's `sig_algo` names, default first. */
export const SALT_SIG_ALGOS = ['PKCS1v15-SHA1', 'PKCS1v15-SHA224'] as const;

export type SaltHash = 'sha1' | 'sha224';

/** The algorithm `options` names, checked against `accepted`; the first one when none is named. */
export function pickAlgo(accepted: readonly string[], options: AlgoOptions | undefined): string {
  const algo = options?.algo ?? accepted[0]!;
  if (!accepted.includes(algo))
    throw invalidArgument(`unsupported algorithm ${algo} (this suite speaks ${accepted.join(', ')})`);
  return algo;
}

/** The hash behind a Salt `enc_algo` / `sig_algo` name (both hash and MGF1 for OAEP). */
export function saltHash(accepted: readonly string[], options: AlgoOptions | undefined): SaltHash {
  return pickAlgo(accepted, options).endsWith('SHA224') ? 'sha224' : 'sha1';
}

const DIGESTS: readonly string[] = ['sha1', 'sha224', 'sha256', 'sha512'] satisfies DigestAlgorithm[];

/** Rejects a digest name outside the contract's list (callers may pass any string at runtime). */
export function checkDigest(algorithm: DigestAlgorithm): DigestAlgorithm {
  if (!DIGESTS.includes(algorithm)) throw invalidArgument(`unsupported digest ${String(algorithm)}`);
  return algorithm;
}
