import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  timingSafeEqual,
  type Cipher,
  type Decipher,
} from 'node:crypto';
import type { SaltSessionKeys } from '@brine/core';
import type { AesCbcHmac } from '../common/salt-cipher.js';
import { u8 } from './bytes.js';

/** AES-192-CBC and HMAC-SHA256 on node:crypto, keys held as secret KeyObjects. */
export function nodeAesCbcHmac(keys: SaltSessionKeys): AesCbcHmac {
  const aesKey = createSecretKey(keys.aesKey);
  const hmacKey = createSecretKey(keys.hmacKey);
  const run = (cipher: Cipher | Decipher, data: Uint8Array): Uint8Array => {
    cipher.setAutoPadding(false);
    const head = cipher.update(data);
    const tail = cipher.final();
    return tail.length === 0 ? u8(head) : u8(Buffer.concat([head, tail]));
  };
  return {
    encrypt: (iv, data) => run(createCipheriv('aes-192-cbc', aesKey, iv), data),
    decrypt: (iv, data) => run(createDecipheriv('aes-192-cbc', aesKey, iv), data),
    mac: (data) => u8(createHmac('sha256', hmacKey).update(data).digest()),
    equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
  };
}
