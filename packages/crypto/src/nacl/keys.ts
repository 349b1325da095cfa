import type { PrivateKey, PublicKey } from '@brine/contracts';
import { keyFormatError, ownKey } from '../common/errors.js';
import { readPem, writePem } from '../common/pem.js';
import { nacl } from './tweetnacl.js';

/**
 * Key text: PEM-style armour around `version(1) ‖ Ed25519 part(32) ‖ X25519 part(32)`.
 * Private: the Ed25519 seed and the X25519 secret key; public: both public keys.
 */
export const NACL_PRIVATE_LABEL = 'BRINE NACL PRIVATE KEY';
export const NACL_PUBLIC_LABEL = 'BRINE NACL PUBLIC KEY';
const VERSION = 1;
const BODY_BYTES = 65;

/** An Ed25519 signing key plus an X25519 key-agreement key. */
export class NaclPrivateKey implements PrivateKey {
  readonly type = 'private';
  readonly suite = 'nacl';
  readonly bits = 256;
  /** tweetnacl's 64-byte Ed25519 secret key (seed ‖ public key). */
  readonly signSecretKey: Uint8Array;
  readonly boxSecretKey: Uint8Array;
  readonly publicKey: NaclPublicKey;

  constructor(signSeed: Uint8Array, boxSecretKey: Uint8Array) {
    const sign = nacl.sign.keyPair.fromSeed(signSeed);
    const box = nacl.box.keyPair.fromSecretKey(boxSecretKey);
    this.signSecretKey = sign.secretKey;
    this.boxSecretKey = box.secretKey;
    this.publicKey = new NaclPublicKey(sign.publicKey, box.publicKey);
  }

  get signSeed(): Uint8Array {
    return this.signSecretKey.subarray(0, 32);
  }
}

export class NaclPublicKey implements PublicKey {
  readonly type = 'public';
  readonly suite = 'nacl';
  readonly bits = 256;

  constructor(
    readonly signPublicKey: Uint8Array,
    readonly boxPublicKey: Uint8Array,
  ) {}
}

function body(text: string, label: string): Uint8Array {
  const pem = readPem(text);
  if (pem.label !== label) throw keyFormatError(`expected a ${label} PEM, got ${pem.label}`);
  if (pem.body.length !== BODY_BYTES || pem.body[0] !== VERSION) {
    throw keyFormatError(`${label} must hold version ${VERSION} and two 32-byte keys`);
  }
  return pem.body;
}

function pack(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(BODY_BYTES);
  out[0] = VERSION;
  out.set(a, 1);
  out.set(b, 33);
  return out;
}

export function importPrivateKey(text: string): NaclPrivateKey {
  const raw = body(text, NACL_PRIVATE_LABEL);
  return new NaclPrivateKey(raw.slice(1, 33), raw.slice(33));
}

export function importPublicKey(text: string): NaclPublicKey {
  const raw = body(text, NACL_PUBLIC_LABEL);
  return new NaclPublicKey(raw.slice(1, 33), raw.slice(33));
}

export function exportPrivateKey(key: NaclPrivateKey): string {
  return writePem(NACL_PRIVATE_LABEL, pack(key.signSeed, key.boxSecretKey));
}

export function exportPublicKey(key: NaclPublicKey): string {
  return writePem(NACL_PUBLIC_LABEL, pack(key.signPublicKey, key.boxPublicKey));
}

export const asPrivate = ownKey<PrivateKey, NaclPrivateKey>(
  NaclPrivateKey,
  'private key was not made by the NaCl suite',
);
export const asPublic = ownKey<PublicKey, NaclPublicKey>(NaclPublicKey, 'public key was not made by the NaCl suite');
