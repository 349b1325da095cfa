import { bytes, type SessionCipher } from '@brine/contracts';
import { authenticationFailed, keyFormatError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import { nacl } from './tweetnacl.js';

const KEY = nacl.secretbox.keyLength;
const NONCE = nacl.secretbox.nonceLength;
const OVERHEAD = nacl.secretbox.overheadLength;

/** A session key string: base64 of a 32-byte secretbox key (44 chars). */
export function sessionKeyString(randomBytes: RandomSource): string {
  return bytes.toBase64(randomBytes(KEY));
}

function readKey(key: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = bytes.fromBase64(key);
  } catch (error) {
    throw keyFormatError('session key is not base64', error);
  }
  if (raw.length !== KEY) throw keyFormatError(`session key must hold ${KEY} bytes, got ${raw.length}`);
  return raw;
}

/** XSalsa20-Poly1305 secretbox: `nonce(24) ‖ secretbox(p)`. */
export function secretboxCipher(key: string, randomBytes: RandomSource): SessionCipher {
  const raw = readKey(key);
  return {
    encrypt(plaintext) {
      const nonce = randomBytes(NONCE);
      return bytes.concatBytes([nonce, nacl.secretbox(plaintext, nonce, raw)]);
    },
    decrypt(blob) {
      if (!(blob instanceof Uint8Array) || blob.length < NONCE + OVERHEAD) throw authenticationFailed();
      const plain = nacl.secretbox.open(blob.subarray(NONCE), blob.subarray(0, NONCE), raw);
      if (!plain) throw authenticationFailed();
      return plain;
    },
  };
}
