import { bytes } from '@brine/contracts';
import { cryptoError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import type { NaclBackend } from './backend.js';
import type { NaclPrivateKey, NaclPublicKey } from './keys.js';
import { nacl } from './tweetnacl.js';

const KEY = nacl.box.publicKeyLength;
const OVERHEAD = nacl.box.overheadLength;

/**
 * An anonymous sealed box: `ephemeral X25519 public key(32) ‖ box(data)`, nonce =
 * SHA-512(epk ‖ recipient pk)[0..24]. Same shape as libsodium's `crypto_box_seal`, but its nonce
 * uses BLAKE2b, which tweetnacl lacks, so the two do not interoperate. `box` is tweetnacl's:
 * XSalsa20-Poly1305 `secretbox` under `box.before` (HSalsa20 of the X25519 point).
 */
export function seal(
  ops: NaclBackend,
  recipient: NaclPublicKey,
  data: Uint8Array,
  randomBytes: RandomSource,
): Uint8Array {
  const { ephemeralPublic, boxKey } = ops.sealKey(recipient, randomBytes);
  const box = nacl.secretbox(data, nonceFor(ops, ephemeralPublic, recipient.boxPublicKey), boxKey);
  return bytes.concatBytes([ephemeralPublic, box]);
}

export function open(ops: NaclBackend, key: NaclPrivateKey, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length < KEY + OVERHEAD) throw cryptoError('sealed box is too short');
  const ephemeral = data.subarray(0, KEY);
  const boxKey = ops.openKey(key, ephemeral);
  const plain = nacl.secretbox.open(data.subarray(KEY), nonceFor(ops, ephemeral, key.publicKey.boxPublicKey), boxKey);
  if (!plain) throw cryptoError('sealed box does not open with this key');
  return plain;
}

function nonceFor(ops: NaclBackend, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return ops.sha512(bytes.concatBytes([ephemeral, recipient])).subarray(0, nacl.box.nonceLength);
}
