import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { PrivateKey, PublicKey } from '@brine/contracts';
import { keyFormatError, ownKey } from '../common/errors.js';
import { readPem } from '../common/pem.js';

const PRIVATE_LABELS = ['RSA PRIVATE KEY', 'PRIVATE KEY'];
const PUBLIC_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];

abstract class NodeRsaKey {
  readonly suite = 'salt';
  readonly bits: number;
  #modulus: bigint | undefined;

  constructor(readonly keyObject: KeyObject) {
    this.bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  }

  /** Modulus length in bytes (`k`). */
  get size(): number {
    return Math.ceil(this.bits / 8);
  }

  get modulus(): bigint {
    if (this.#modulus === undefined) {
      const jwk = this.keyObject.export({ format: 'jwk' });
      this.#modulus = BigInt(`0x${Buffer.from(jwk.n!, 'base64url').toString('hex')}`);
    }
    return this.#modulus;
  }
}

/** An RSA private key held as a node:crypto KeyObject. */
export class NodeRsaPrivateKey extends NodeRsaKey implements PrivateKey {
  readonly type = 'private';
}

/** An RSA public key held as a node:crypto KeyObject. */
export class NodeRsaPublicKey extends NodeRsaKey implements PublicKey {
  readonly type = 'public';
}

function requireRsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw keyFormatError(`not an RSA key (${key.asymmetricKeyType})`);
  return key;
}

/** Reads a PKCS#1 or PKCS#8 private key PEM. */
export function importPrivateKey(text: string): NodeRsaPrivateKey {
  const { label } = readPem(text);
  if (!PRIVATE_LABELS.includes(label)) throw keyFormatError(`expected an RSA private key PEM, got ${label}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw keyFormatError('unreadable RSA private key', error);
  }
  return new NodeRsaPrivateKey(requireRsa(key));
}

/** Reads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM. */
export function importPublicKey(text: string): NodeRsaPublicKey {
  const { label } = readPem(text);
  if (!PUBLIC_LABELS.includes(label)) throw keyFormatError(`expected an RSA public key PEM, got ${label}`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    throw keyFormatError('unreadable RSA public key', error);
  }
  return new NodeRsaPublicKey(requireRsa(key));
}

export function exportPrivateKey(key: NodeRsaPrivateKey): string {
  return key.keyObject.export({ type: 'pkcs1', format: 'pem' }) as string;
}

export function exportPublicKey(key: NodeRsaPublicKey): string {
  return key.keyObject.export({ type: 'spki', format: 'pem' }) as string;
}

export function publicKeyOf(key: NodeRsaPrivateKey): NodeRsaPublicKey {
  return new NodeRsaPublicKey(createPublicKey(key.keyObject));
}

export const asPrivate = ownKey<PrivateKey, NodeRsaPrivateKey>(
  NodeRsaPrivateKey,
  'private key was not made by the node Salt suite',
);
export const asPublic = ownKey<PublicKey, NodeRsaPublicKey>(
  NodeRsaPublicKey,
  'public key was not made by the node Salt suite',
);
