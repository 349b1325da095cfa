import type { DigestAlgorithm } from '@brine/contracts';
import { checkDigest } from '../common/algos.js';
import { sha1 } from '../pure/sha1.js';
import { sha224, sha256 } from '../pure/sha256.js';
import { nacl } from './tweetnacl.js';

const DIGESTS: Record<DigestAlgorithm, (data: Uint8Array) => Uint8Array> = {
  sha1,
  sha224,
  sha256,
  sha512: (data) => nacl.hash(data),
};

export function naclDigest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return DIGESTS[checkDigest(algorithm)](data);
}
