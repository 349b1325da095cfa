import type { DigestAlgorithm } from '@brine/contracts';
import { invalidArgument } from '../common/errors.js';
import { sha224 } from '../pure/sha256.js';
import { fromBinary, toBinary } from './binary.js';
import { forge } from './forge.js';

/** A forge message digest object; SHA-224 (which forge lacks) is adapted from the pure-JS one. */
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

export function forgeDigest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  if (algorithm === 'sha224') return sha224(data);
  return fromBinary(forgeMd(algorithm).update(toBinary(data)).digest().getBytes());
}

/** Enough of forge's MessageDigest interface for its OAEP and MGF1 code: start, update, digest. */
function sha224Md(): forge.md.MessageDigest {
  let chunks: string[] = [];
  const md = {
    algorithm: 'sha224',
    blockLength: 64,
    digestLength: 28,
    messageLength: 0,
    fullMessageLength: null,
    messageLengthSize: 8,
    start() {
      chunks = [];
      return md;
    },
    update(msg: string, encoding?: string) {
      chunks.push(encoding === 'utf8' ? forge.util.encodeUtf8(msg) : msg);
      return md;
    },
    digest() {
      return forge.util.createBuffer(toBinary(sha224(fromBinary(chunks.join('')))));
    },
  };
  return md as unknown as forge.md.MessageDigest;
}
