import { constants, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, sign, verify } from 'node:crypto';
import type { SaltHash } from '../common/algos.js';
import { cryptoError } from '../common/errors.js';
import { x931Denormalize, x931Normalize, x931Pad, x931Unpad } from '../common/x931.js';
import { buf, u8 } from './bytes.js';
import type { NodeRsaPrivateKey, NodeRsaPublicKey } from './keys.js';

/** RSAES-OAEP with `hash` for both OAEP and MGF1 (OpenSSL uses the OAEP hash for MGF1), empty label. */
export function oaepEncrypt(key: NodeRsaPublicKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  try {
    return u8(publicEncrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
  } catch (error) {
    throw cryptoError('RSA-OAEP encryption failed', error);
  }
}

export function oaepDecrypt(key: NodeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  try {
    return u8(privateDecrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
  } catch (error) {
    throw cryptoError('RSA-OAEP decryption failed', error);
  }
}

export function pkcs1Sign(key: NodeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  try {
    return u8(sign(hash, data, { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }));
  } catch (error) {
    throw cryptoError('RSA PKCS#1 v1.5 signing failed', error);
  }
}

export function pkcs1Verify(key: NodeRsaPublicKey, data: Uint8Array, signature: Uint8Array, hash: SaltHash): boolean {
  try {
    return verify(hash, data, { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** Salt's `rsax931.RSAX931Signer.sign`: raw RSA over the X9.31 block, then `min(s, n − s)`. */
export function x931Sign(key: NodeRsaPrivateKey, message: Uint8Array): Uint8Array {
  const block = x931Pad(message, key.size);
  let s: Buffer;
  try {
    s = privateEncrypt({ key: key.keyObject, padding: constants.RSA_NO_PADDING }, block);
  } catch (error) {
    throw cryptoError('RSA X9.31 signing failed', error);
  }
  return x931Normalize(u8(s), key.modulus);
}

/** Salt's `rsax931.RSAX931Verifier.verify`: the message, or undefined when `signature` is not one. */
export function x931Recover(key: NodeRsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== key.size) return undefined;
  let m: Buffer;
  try {
    m = publicDecrypt({ key: key.keyObject, padding: constants.RSA_NO_PADDING }, buf(signature));
  } catch {
    return undefined;
  }
  return x931Unpad(x931Denormalize(u8(m), key.modulus));
}
