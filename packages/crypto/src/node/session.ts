import * as nodeCrypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { SaltSessionKeys } from '@brine/core';
import type { AesCbcHmac } from '../common/salt-cipher.js';

const BLOCK = 16;
const SHA256_BLOCK = 64;
type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer;
// crypto.hash (Node >= 20.12) is a one-shot digest without a Hash object; older Nodes use createHmac.
const oneShotHash = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

/**
 * AES-192-CBC and HMAC-SHA256 on node:crypto for one Salt session key.
 *
 * Both directions keep one OpenSSL CBC context for the life of the key instead of creating one per
 * message: CBC chains each block on the previous ciphertext block, so folding `iv ⊕ last` into the
 * first plaintext block (and undoing it after decryption) gives exactly the bytes of a fresh
 * context with that IV. HMAC is computed from two one-shot SHA-256 digests over the precomputed
 * ipad/opad keys. Both produce the same bytes as createCipheriv/createHmac (Salt's vectors check).
 */
export function nodeAesCbcHmac(keys: SaltSessionKeys): AesCbcHmac {
  const aesKey = createSecretKey(keys.aesKey);
  const zeroIv = new Uint8Array(BLOCK);
  const encryptor = createCipheriv('aes-192-cbc', aesKey, zeroIv).setAutoPadding(false);
  const decryptor = createDecipheriv('aes-192-cbc', aesKey, zeroIv).setAutoPadding(false);
  let lastEncrypted = new Uint8Array(BLOCK); // chaining value of the running encryptor
  let lastDecrypted = new Uint8Array(BLOCK); // last ciphertext block fed to the running decryptor
  const mac = hmacSha256(keys.hmacKey);

  return {
    encrypt(iv, data) {
      const input = new Uint8Array(data.length);
      input.set(data);
      for (let i = 0; i < BLOCK; i++) input[i] = input[i]! ^ iv[i]! ^ lastEncrypted[i]!;
      const out = encryptor.update(input);
      lastEncrypted = out.slice(out.length - BLOCK);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
    decrypt(iv, data) {
      const out = decryptor.update(data);
      for (let i = 0; i < BLOCK; i++) out[i] = out[i]! ^ lastDecrypted[i]! ^ iv[i]!;
      lastDecrypted = data.slice(data.length - BLOCK);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
    mac,
    equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
  };
}

function hmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  if (!oneShotHash || key.length > SHA256_BLOCK) {
    const keyObject = createSecretKey(key);
    return (data) => {
      const digest = createHmac('sha256', keyObject).update(data).digest();
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
    };
  }
  const ipad = new Uint8Array(SHA256_BLOCK).fill(0x36);
  const opad = new Uint8Array(SHA256_BLOCK + 32).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i] = ipad[i]! ^ key[i]!;
    opad[i] = opad[i]! ^ key[i]!;
  }
  return (data) => {
    const inner = new Uint8Array(SHA256_BLOCK + data.length);
    inner.set(ipad);
    inner.set(data, SHA256_BLOCK);
    opad.set(oneShotHash('sha256', inner, 'buffer'), SHA256_BLOCK);
    const digest = oneShotHash('sha256', opad, 'buffer');
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
  };
}
