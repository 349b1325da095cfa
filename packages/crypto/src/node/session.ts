import * as nodeCrypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { SessionCipher } from '@brine/contracts';
import type { SaltSessionKeys } from '../salt/salt-key.js';
import { authenticationFailed } from '../common/errors.js';

const BLOCK = 16;
const MAC = 32;
const SHA256_BLOCK = 64;
type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer;
// crypto.hash (Node >= 20.12) is a one-shot digest without a Hash object; older Nodes use createHmac.
const oneShotHash = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

/** Writes fresh random bytes over all of `target` (the IV, in place in the output). */
export type RandomFill = (target: Uint8Array) => void;

/**
 * Salt's Crypticle cipher, `iv(16) ‖ AES-192-CBC(pkcs7(p)) ‖ HMAC-SHA256(iv ‖ c)`, on node:crypto
 * for one session key. Same bytes as `saltSessionCipher` over createCipheriv/createHmac (Salt's
 * vectors check it), built for the per-request path:
 *
 * - Both directions keep one OpenSSL CBC context for the life of the key instead of creating one
 *   per message: CBC chains each block on the previous ciphertext block, so folding `iv ⊕ last`
 *   into the first plaintext block (and undoing it after decryption) gives exactly the bytes of a
 *   fresh context with that IV.
 * - HMAC is two one-shot SHA-256 digests over precomputed ipad/opad blocks. The output is laid out
 *   as `ipad ‖ iv ‖ c ‖ mac` in one buffer, so the inner digest needs no copy; the ipad is zeroed
 *   again and the result is a view past it.
 *
 * Like Salt, decrypt strips `last byte` bytes of padding without checking their values; a count
 * outside 1..16 (never produced by a sender holding the key) is rejected as a failed authentication.
 */
export function nodeSaltSessionCipher(keys: SaltSessionKeys, fillRandom: RandomFill): SessionCipher {
  const aesKey = createSecretKey(keys.aesKey);
  const zeroIv = new Uint8Array(BLOCK);
  const encryptor = createCipheriv('aes-192-cbc', aesKey, zeroIv).setAutoPadding(false);
  const decryptor = createDecipheriv('aes-192-cbc', aesKey, zeroIv).setAutoPadding(false);
  const lastEncrypted = new Uint8Array(BLOCK); // chaining value of the running encryptor
  const lastDecrypted = new Uint8Array(BLOCK); // last ciphertext block fed to the running decryptor
  const hmac = hmacSha256(keys.hmacKey);

  return {
    encrypt(plaintext: Uint8Array): Uint8Array {
      const pad = BLOCK - (plaintext.length % BLOCK);
      const length = plaintext.length + pad;
      const out = new Uint8Array(SHA256_BLOCK + BLOCK + length + MAC);
      const iv = out.subarray(SHA256_BLOCK, SHA256_BLOCK + BLOCK);
      fillRandom(iv);
      const padded = new Uint8Array(length);
      padded.set(plaintext);
      padded.fill(pad, plaintext.length);
      for (let i = 0; i < BLOCK; i++) padded[i] = padded[i]! ^ iv[i]! ^ lastEncrypted[i]!;
      const ciphertext = encryptor.update(padded);
      lastEncrypted.set(ciphertext.subarray(length - BLOCK));
      out.set(ciphertext, SHA256_BLOCK + BLOCK);
      out.set(hmac.withPrefixSpace(out, SHA256_BLOCK + BLOCK + length), SHA256_BLOCK + BLOCK + length);
      return out.subarray(SHA256_BLOCK);
    },
    decrypt(blob: Uint8Array): Uint8Array {
      if (!(blob instanceof Uint8Array) || blob.length < BLOCK * 2 + MAC || (blob.length - MAC) % BLOCK !== 0) {
        throw authenticationFailed();
      }
      const signedLength = blob.length - MAC;
      const expected = hmac.of(blob.subarray(0, signedLength));
      if (!timingSafeEqual(expected, blob.subarray(signedLength))) throw authenticationFailed();
      const ciphertext = blob.subarray(BLOCK, signedLength);
      const plain = decryptor.update(ciphertext);
      for (let i = 0; i < BLOCK; i++) plain[i] = plain[i]! ^ lastDecrypted[i]! ^ blob[i]!;
      lastDecrypted.set(ciphertext.subarray(ciphertext.length - BLOCK));
      const pad = plain[plain.length - 1]!;
      if (pad < 1 || pad > BLOCK) throw authenticationFailed();
      return new Uint8Array(plain.buffer, plain.byteOffset, plain.length - pad);
    },
  };
}

interface HmacSha256 {
  /** HMAC of `data`. */
  of(data: Uint8Array): Uint8Array;
  /** HMAC of `buffer[64, end)`; `buffer[0, 64)` is free space the function may overwrite. */
  withPrefixSpace(buffer: Uint8Array, end: number): Uint8Array;
}

function hmacSha256(key: Uint8Array): HmacSha256 {
  if (!oneShotHash || key.length > SHA256_BLOCK) {
    const keyObject = createSecretKey(key);
    const of = (data: Uint8Array): Uint8Array => createHmac('sha256', keyObject).update(data).digest();
    return { of, withPrefixSpace: (buffer, end) => of(buffer.subarray(SHA256_BLOCK, end)) };
  }
  const hash = oneShotHash;
  const ipad = new Uint8Array(SHA256_BLOCK).fill(0x36);
  const opad = new Uint8Array(SHA256_BLOCK + 32).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i] = ipad[i]! ^ key[i]!;
    opad[i] = opad[i]! ^ key[i]!;
  }
  const outer = (innerDigest: Uint8Array): Uint8Array => {
    opad.set(innerDigest, SHA256_BLOCK);
    return hash('sha256', opad, 'buffer');
  };
  return {
    of(data) {
      const inner = new Uint8Array(SHA256_BLOCK + data.length);
      inner.set(ipad);
      inner.set(data, SHA256_BLOCK);
      return outer(hash('sha256', inner, 'buffer'));
    },
    withPrefixSpace(buffer, end) {
      buffer.set(ipad);
      const innerDigest = hash('sha256', buffer.subarray(0, end), 'buffer');
      buffer.fill(0, 0, SHA256_BLOCK); // the ipad is key material; the caller hands out a view of this buffer
      return outer(innerDigest);
    },
  };
}
