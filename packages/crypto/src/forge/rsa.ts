import type { SaltHash } from '../common/algos.js';
import { emsaPkcs1v15 } from '../common/pkcs1.js';
import { pureDigest } from '../common/pure-digest.js';
import type { RandomSource } from '../common/random.js';
import { fromBinary, toBinary } from './binary.js';
import { forgeMd } from './digest.js';
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
  const options = oaepOptions(hash);
  options.seed = toBinary(randomBytes(options.md.digestLength));
  const em = pkcs1.encode_rsa_oaep(key.forgeKey, toBinary(data), options);
  return fromBinary(rawRsa.encrypt(em, key.forgeKey, true));
}

export function oaepDecrypt(key: ForgeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  const em = rawRsa.decrypt(toBinary(data), key.forgeKey, false, false);
  return fromBinary(pkcs1.decode_rsa_oaep(key.forgeKey, em, oaepOptions(hash)));
}

export function pkcs1Sign(key: ForgeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  return rawPrivate(key, emsaPkcs1v15(hash, pureDigest(hash, data), key.size));
}

/** Recomputes the expected encoding and compares (no DigestInfo parsing to get wrong). */
export function pkcs1Verify(key: ForgeRsaPublicKey, data: Uint8Array, signature: Uint8Array, hash: SaltHash): boolean {
  const em = rawPublic(key, signature);
  if (em === undefined) return false;
  return toBinary(emsaPkcs1v15(hash, pureDigest(hash, data), key.size)) === toBinary(em);
}

/** Raw RSA private-key operation on a `k`-byte block (forge does no range check). */
export function rawPrivate(key: ForgeRsaPrivateKey, block: Uint8Array): Uint8Array {
  return fromBinary(rawRsa.encrypt(toBinary(block), key.forgeKey, false));
}

/** `s^e mod n`, or undefined when `s` is not `k` bytes below `n`. */
export function rawPublic(key: ForgeRsaPublicKey, s: Uint8Array): Uint8Array | undefined {
  if (s.length !== key.size) return undefined;
  try {
    return fromBinary(rawRsa.decrypt(toBinary(s), key.forgeKey, true, false));
  } catch {
    return undefined;
  }
}
