import type { RandomSource } from '../common/random.js';
import type { NaclPrivateKey, NaclPublicKey } from './keys.js';

/**
 * The primitives in which the NaCl suite's backends (tweetnacl, node:crypto) differ; `NaclSuite`
 * builds the sealed box, tokens, checks and sessions on them once. Both give the same bytes.
 */
export interface NaclBackend {
  /** Ed25519 detached signatures (64 bytes) under `key`. */
  signer(key: NaclPrivateKey): (data: Uint8Array) => Uint8Array;
  /** Ed25519 verification under `key`; a backend that must parse the key throws here, before any check. */
  verifier(key: NaclPublicKey): (data: Uint8Array, signature: Uint8Array) => boolean;
  /** A fresh ephemeral X25519 key (from `randomBytes` where the backend draws it) and its box key with `recipient`. */
  sealKey(recipient: NaclPublicKey, randomBytes: RandomSource): { ephemeralPublic: Uint8Array; boxKey: Uint8Array };
  /** The box key (`box.before`) between `own` and a sealed box's ephemeral public key. */
  openKey(own: NaclPrivateKey, ephemeralPublic: Uint8Array): Uint8Array;
  sha512(data: Uint8Array): Uint8Array;
}
