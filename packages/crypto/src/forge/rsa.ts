import type { SaltHash } from '../common/algos.js';
import { cryptoError } from '../common/errors.js';
import { emsaPkcs1v15 } from '../common/pkcs1.js';
import type { RandomSource } from '../common/random.js';
import { x931Denormalize, x931Normalize, x931Pad, x931Unpad } from '../common/x931.js';
import { fromBinary, toBinary } from './binary.js';
import { forgeDigest, forgeMd } from './digest.js';
import { pkcs1, rawRsa, type OaepOptions } from './forge.js';
import type { ForgeRsaPrivateKey, ForgeRsaPublicKey } from './keys.js';

function oaepOptions(hash: SaltHash): OaepOptions {
  return { md: forgeMd(hash), mgf1: { md: forgeMd(hash) } };
}

/** RSAES-OAEP, `hash` for OAEP and MGF1, empty label; the seed comes from `randomBytes`. */
export function oaepEncrypt(
  key: ForgeRsaPublicKey,
  data: Uint8Array,
  hash: SaltHash,
  randomBytes: RandomSource,
): Uint8Array {
  try {
    const options = oaepOptions(hash);
    options.seed = toBinary(randomBytes(options.md.digestLength));
    const em = pkcs1.encode_rsa_oaep(key.forgeKey, toBinary(data), options);
    return fromBinary(rawRsa.encrypt(em, key.forgeKey, true));
  } catch (error) {
    throw cryptoError('RSA-OAEP encryption failed', error);
  }
}

export function oaepDecrypt(key: ForgeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  try {
    const em = rawRsa.decrypt(toBinary(data), key.forgeKey, false, false);
    return fromBinary(pkcs1.decode_rsa_oaep(key.forgeKey, em, oaepOptions(hash)));
  } catch (error) {
    throw cryptoError('RSA-OAEP decryption failed', error);
  }
}

export function pkcs1Sign(key: ForgeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  const em = emsaPkcs1v15(hash, forgeDigest(hash, data), key.size);
  try {
    return fromBinary(rawRsa.encrypt(toBinary(em), key.forgeKey, false));
  } catch (error) {
    throw cryptoError('RSA PKCS#1 v1.5 signing failed', error);
  }
}

/** Recomputes the expected encoding and compares (no DigestInfo parsing to get wrong). */
export function pkcs1Verify(key: ForgeRsaPublicKey, data: Uint8Array, signature: Uint8Array, hash: SaltHash): boolean {
  const em = publicOp(key, signature);
  if (em === undefined) return false;
  return toBinary(emsaPkcs1v15(hash, forgeDigest(hash, data), key.size)) === toBinary(em);
}

/** Salt's `rsax931.RSAX931Signer.sign`: raw RSA over the X9.31 block, then `min(s, n − s)`. */
export function x931Sign(key: ForgeRsaPrivateKey, message: Uint8Array): Uint8Array {
  const block = x931Pad(message, key.size);
  let s: string;
  try {
    s = rawRsa.encrypt(toBinary(block), key.forgeKey, false);
  } catch (error) {
    throw cryptoError('RSA X9.31 signing failed', error);
  }
  return x931Normalize(fromBinary(s), key.modulus);
}

/** Salt's `rsax931.RSAX931Verifier.verify`: the message, or undefined when `signature` is not one. */
export function x931Recover(key: ForgeRsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  const m = publicOp(key, signature);
  return m === undefined ? undefined : x931Unpad(x931Denormalize(m, key.modulus));
}

/** `s^e mod n`, or undefined when `s` is not `k` bytes below `n`. */
function publicOp(key: ForgeRsaPublicKey, s: Uint8Array): Uint8Array | undefined {
  if (s.length !== key.size) return undefined;
  try {
    return fromBinary(rawRsa.decrypt(toBinary(s), key.forgeKey, true, false));
  } catch {
    return undefined;
  }
}
