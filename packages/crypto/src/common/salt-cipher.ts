import type { SessionCipher } from '@brine/contracts';
import { authenticationFailed } from './errors.js';
import type { RandomSource } from './random.js';

const BLOCK = 16;
const MAC = 32;

/** The three primitives a backend brings to Salt's Crypticle cipher, bound to one key. */
export interface AesCbcHmac {
  /** AES-192-CBC without padding (`data` is block-aligned). */
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  /** HMAC-SHA256 with the session's HMAC key. */
  mac(data: Uint8Array): Uint8Array;
  /** Constant-time comparison. */
  equal(a: Uint8Array, b: Uint8Array): boolean;
}

/**
 * Salt's `Crypticle.encrypt`/`decrypt` framing: `iv(16) ‖ AES-CBC(pkcs7(p)) ‖ HMAC-SHA256(iv ‖ c)`.
 * Like Salt, decrypt strips `last byte` bytes of padding without checking their values; a count
 * outside 1..16 (never produced by a sender holding the key) is rejected as a failed authentication.
 */
export function saltSessionCipher(primitives: AesCbcHmac, randomBytes: RandomSource): SessionCipher {
  return {
    encrypt(plaintext: Uint8Array): Uint8Array {
      const pad = BLOCK - (plaintext.length % BLOCK);
      const padded = new Uint8Array(plaintext.length + pad);
      padded.set(plaintext);
      padded.fill(pad, plaintext.length);
      const iv = randomBytes(BLOCK);
      const ciphertext = primitives.encrypt(iv, padded);
      const out = new Uint8Array(BLOCK + ciphertext.length + MAC);
      out.set(iv);
      out.set(ciphertext, BLOCK);
      out.set(primitives.mac(out.subarray(0, BLOCK + ciphertext.length)), BLOCK + ciphertext.length);
      return out;
    },
    decrypt(blob: Uint8Array): Uint8Array {
      if (!(blob instanceof Uint8Array) || blob.length < BLOCK * 2 + MAC || (blob.length - MAC) % BLOCK !== 0) {
        throw authenticationFailed();
      }
      const signed = blob.subarray(0, blob.length - MAC);
      if (!primitives.equal(primitives.mac(signed), blob.subarray(blob.length - MAC))) throw authenticationFailed();
      const plain = primitives.decrypt(signed.subarray(0, BLOCK), signed.subarray(BLOCK));
      const pad = plain[plain.length - 1]!;
      if (pad < 1 || pad > BLOCK) throw authenticationFailed();
      return plain.subarray(0, plain.length - pad);
    },
  };
}
