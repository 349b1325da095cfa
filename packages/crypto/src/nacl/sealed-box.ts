import { bytes } from '@brine/contracts';
import { cryptoError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import type { NaclPrivateKey, NaclPublicKey } from './keys.js';
import { nacl } from './tweetnacl.js';

const KEY = nacl.box.publicKeyLength;
const OVERHEAD = nacl.box.overheadLength;

/**
 * An anonymous sealed box: `ephemeral X25519 public key(32) ‖ box(data)`, nonce =
 * SHA-512(epk ‖ recipient pk)[0..24]. Same shape as libsodium's `crypto_box_seal`, but its nonce
 * uses BLAKE2b, which tweetnacl lacks, so the two do not interoperate.
 */
export function seal(recipient: NaclPublicKey, data: Uint8Array, randomBytes: RandomSource): Uint8Array {
  const ephemeral = nacl.box.keyPair.fromSecretKey(randomBytes(KEY));
  const box = nacl.box(
    data,
    nonceFor(ephemeral.publicKey, recipient.boxPublicKey),
    recipient.boxPublicKey,
    ephemeral.secretKey,
  );
  return bytes.concatBytes([ephemeral.publicKey, box]);
}

export function open(key: NaclPrivateKey, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array) || data.length < KEY + OVERHEAD) throw cryptoError('sealed box is too short');
  const ephemeral = data.subarray(0, KEY);
  const plain = nacl.box.open(
    data.subarray(KEY),
    nonceFor(ephemeral, key.publicKey.boxPublicKey),
    ephemeral,
    key.boxSecretKey,
  );
  if (!plain) throw cryptoError('sealed box does not open with this key');
  return plain;
}

function nonceFor(ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return nacl.hash(bytes.concatBytes([ephemeral, recipient])).subarray(0, nacl.box.nonceLength);
}
