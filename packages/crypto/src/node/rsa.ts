import { constants, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, sign, verify } from 'node:crypto';
import type { SaltHash } from '../common/algos.js';
import { buf, u8 } from './bytes.js';
import type { NodeRsaPrivateKey, NodeRsaPublicKey } from './keys.js';

/** RSAES-OAEP with `hash` for both OAEP and MGF1 (OpenSSL uses the OAEP hash for MGF1), empty label. */
export function oaepEncrypt(key: NodeRsaPublicKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  return u8(publicEncrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
}

export function oaepDecrypt(key: NodeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  return u8(privateDecrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data));
}

export function pkcs1Sign(key: NodeRsaPrivateKey, data: Uint8Array, hash: SaltHash): Uint8Array {
  return u8(sign(hash, data, { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }));
}

export function pkcs1Verify(key: NodeRsaPublicKey, data: Uint8Array, signature: Uint8Array, hash: SaltHash): boolean {
  try {
    return verify(hash, data, { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** Raw RSA private-key operation on a `k`-byte block (the X9.31 signer's). */
export function rawPrivate(key: NodeRsaPrivateKey, block: Uint8Array): Uint8Array {
  return u8(privateEncrypt({ key: key.keyObject, padding: constants.RSA_NO_PADDING }, block));
}

/** Raw `s^e mod n`, or undefined when OpenSSL refuses `s` (not below `n`). */
export function rawPublic(key: NodeRsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  try {
    return u8(publicDecrypt({ key: key.keyObject, padding: constants.RSA_NO_PADDING }, buf(signature)));
  } catch {
    return undefined;
  }
}
