import type { PrivateKey, PublicKey } from '@brine/contracts';
import { keyFormatError, ownKey } from '../common/errors.js';
import { readPem, writePem } from '../common/pem.js';
import { fromBinary, toBinary } from './binary.js';
import { forge } from './forge.js';

const PRIVATE_LABELS = ['RSA PRIVATE KEY', 'PRIVATE KEY'];
const PUBLIC_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];

abstract class ForgeRsaKey<K extends forge.pki.rsa.PublicKey | forge.pki.rsa.PrivateKey> {
  readonly suite = 'salt';
  readonly bits: number;
  /** Modulus length in bytes (`k`). */
  readonly size: number;
  #modulus: bigint | undefined;

  constructor(readonly forgeKey: K) {
    this.bits = forgeKey.n.bitLength();
    this.size = Math.ceil(this.bits / 8);
  }

  get modulus(): bigint {
    this.#modulus ??= BigInt(`0x${this.forgeKey.n.toString(16)}`);
    return this.#modulus;
  }
}

/** An RSA private key held as a node-forge key. */
export class ForgeRsaPrivateKey extends ForgeRsaKey<forge.pki.rsa.PrivateKey> implements PrivateKey {
  readonly type = 'private';
}

/** An RSA public key held as a node-forge key. */
export class ForgeRsaPublicKey extends ForgeRsaKey<forge.pki.rsa.PublicKey> implements PublicKey {
  readonly type = 'public';
}

function derOf(text: string, labels: readonly string[], kind: string): forge.asn1.Asn1 {
  const { label, body } = readPem(text);
  if (!labels.includes(label)) throw keyFormatError(`expected an RSA ${kind} key PEM, got ${label}`);
  try {
    return forge.asn1.fromDer(toBinary(body));
  } catch (error) {
    throw keyFormatError(`RSA ${kind} key is not DER`, error);
  }
}

/** Reads a PKCS#1 or PKCS#8 private key PEM. */
export function importPrivateKey(text: string): ForgeRsaPrivateKey {
  const der = derOf(text, PRIVATE_LABELS, 'private');
  try {
    return new ForgeRsaPrivateKey(forge.pki.privateKeyFromAsn1(der) as forge.pki.rsa.PrivateKey);
  } catch (error) {
    throw keyFormatError('unreadable RSA private key', error);
  }
}

/** Reads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM. */
export function importPublicKey(text: string): ForgeRsaPublicKey {
  const der = derOf(text, PUBLIC_LABELS, 'public');
  try {
    return new ForgeRsaPublicKey(forge.pki.publicKeyFromAsn1(der) as forge.pki.rsa.PublicKey);
  } catch (error) {
    throw keyFormatError('unreadable RSA public key', error);
  }
}

const der = (asn1: forge.asn1.Asn1): Uint8Array => fromBinary(forge.asn1.toDer(asn1).getBytes());

export function exportPrivateKey(key: ForgeRsaPrivateKey): string {
  return writePem('RSA PRIVATE KEY', der(forge.pki.privateKeyToAsn1(key.forgeKey)));
}

export function exportPublicKey(key: ForgeRsaPublicKey): string {
  return writePem('PUBLIC KEY', der(forge.pki.publicKeyToAsn1(key.forgeKey)));
}

export function publicKeyOf(key: ForgeRsaPrivateKey): ForgeRsaPublicKey {
  return new ForgeRsaPublicKey(forge.pki.rsa.setPublicKey(key.forgeKey.n, key.forgeKey.e));
}

export const asPrivate = ownKey<PrivateKey, ForgeRsaPrivateKey>(
  ForgeRsaPrivateKey,
  'private key was not made by the forge Salt suite',
);
export const asPublic = ownKey<PublicKey, ForgeRsaPublicKey>(
  ForgeRsaPublicKey,
  'public key was not made by the forge Salt suite',
);
