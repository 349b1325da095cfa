import type { DigestAlgorithm } from '@brine/contracts';
import { invalidArgument } from '../common/errors.js';
import { PURE_HASHES } from '../common/pure-digest.js';
import { fromBinary, toBinary } from './binary.js';
import { forge } from './forge.js';

/** A forge message digest object for OAEP and MGF1; SHA-224 (which forge lacks) is adapted from @noble/hashes. */
export function forgeMd(algorithm: DigestAlgorithm): forge.md.MessageDigest {
  switch (algorithm) {
    case 'sha1':
      return forge.md.sha1.create();
    case 'sha256':
      return forge.md.sha256.create();
    case 'sha512':
      return forge.md.sha512.create();
    case 'sha224':
      return sha224Md();
    default:
      throw invalidArgument(`unsupported digest ${String(algorithm)}`);
  }
}

/** Enough of forge's MessageDigest interface for its OAEP and MGF1 code: start, update, digest. */
function sha224Md(): forge.md.MessageDigest {
  let hash = PURE_HASHES.sha224.create();
  const md = {
    algorithm: 'sha224',
    blockLength: 64,
    digestLength: 28,
    messageLength: 0,
    fullMessageLength: null,
    messageLengthSize: 8,
    start() {
      hash = PURE_HASHES.sha224.create();
      return md;
    },
    update(msg: string, encoding?: string) {
      hash.update(fromBinary(encoding === 'utf8' ? forge.util.encodeUtf8(msg) : msg));
      return md;
    },
    /** Like forge's digests, does not end the running hash: more updates may follow. */
    digest() {
      return forge.util.createBuffer(toBinary(hash.clone().digest()));
    },
  };
  return md as unknown as forge.md.MessageDigest;
}
