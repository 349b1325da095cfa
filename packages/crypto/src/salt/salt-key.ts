import { CryptoError, ErrorCodes } from '@brine/contracts';
import { fromBase64, toBase64 } from '@brine/contracts/bytes';

/** AES-192 key length in a Salt session key string. */
export const SALT_AES_KEY_BYTES = 24;
/** HMAC-SHA256 key length in a Salt session key string. */
export const SALT_HMAC_KEY_BYTES = 32;
/** Raw length of a Salt session key (base64: 76 ASCII chars). */
export const SALT_SESSION_KEY_BYTES = SALT_AES_KEY_BYTES + SALT_HMAC_KEY_BYTES;

export interface SaltSessionKeys {
  aesKey: Uint8Array;
  hmacKey: Uint8Array;
}

/**
 * Salt's `Crypticle.extract_keys`: the key string is base64 of the AES-192 key followed by the
 * HMAC-SHA256 key. Throws CryptoError `ERR_KEY_FORMAT` when it is not exactly that.
 */
export function extractSaltKeys(keyString: string): SaltSessionKeys {
  let raw: Uint8Array;
  try {
    raw = fromBase64(keyString);
  } catch (error) {
    throw new CryptoError(ErrorCodes.KEY_FORMAT, 'session key is not base64', { cause: error });
  }
  if (raw.length !== SALT_SESSION_KEY_BYTES) {
    throw new CryptoError(
      ErrorCodes.KEY_FORMAT,
      `session key must hold ${SALT_SESSION_KEY_BYTES} bytes, got ${raw.length}`,
    );
  }
  return { aesKey: raw.slice(0, SALT_AES_KEY_BYTES), hmacKey: raw.slice(SALT_AES_KEY_BYTES) };
}

/** Salt's `Crypticle.generate_key_string` for the given 56 random bytes. */
export function saltKeyString(raw: Uint8Array): string {
  if (raw.length !== SALT_SESSION_KEY_BYTES) {
    throw new CryptoError(ErrorCodes.KEY_FORMAT, `session key must hold ${SALT_SESSION_KEY_BYTES} bytes`);
  }
  return toBase64(raw);
}
