import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { bytes } from '@brine/contracts';
import { cryptoError } from '../common/errors.js';
import type { RandomSource } from '../common/random.js';
import type { NaclBackend } from '../nacl/backend.js';
import type { NaclPrivateKey, NaclPublicKey } from '../nacl/keys.js';
import { NaclSuite, type NaclSuiteOptions } from '../nacl/suite.js';
import { nacl } from '../nacl/tweetnacl.js';
import { u8 } from './bytes.js';

const KEY = 32;
// The DER header that turns a raw X25519 secret into PKCS#8 (RFC 8410); only for pinned randomness.
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SIGMA = bytes.utf8Encode('expand 32-byte k');
const ZERO_NONCE = new Uint8Array(16);
const hsalsa20 = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20: HSalsa20 } }).lowlevel.crypto_core_hsalsa20;
type HSalsa20 = (out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array) => number;

type Curve = 'Ed25519' | 'X25519';
interface CurveObjects {
  sign: KeyObject;
  box: KeyObject;
}
const b64url = (raw: Uint8Array): string =>
  Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
// JWK, not DER: OpenSSL 3 decodes a PKCS#8 curve key in ~450 µs and an SPKI one in ~100 µs, a JWK in 8–40 µs.
const privateObject = (crv: Curve, secret: Uint8Array, publicKey: Uint8Array): KeyObject =>
  createPrivateKey({ key: { kty: 'OKP', crv, d: b64url(secret), x: b64url(publicKey) }, format: 'jwk' });
const publicObject = (crv: Curve, publicKey: Uint8Array): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv, x: b64url(publicKey) }, format: 'jwk' });
const rawPublic = (key: KeyObject): Uint8Array => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');

/** tweetnacl's `box.before`: HSalsa20 over the X25519 shared point. */
function boxKey(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  let point: Uint8Array;
  try {
    point = diffieHellman({ privateKey, publicKey });
  } catch (error) {
    // OpenSSL refuses low-order points (an all-zero shared secret); no honest key produces one.
    throw cryptoError('X25519 key agreement failed', error);
  }
  const key = new Uint8Array(KEY);
  hsalsa20(key, ZERO_NONCE, point, SIGMA);
  return key;
}

/**
 * The NaCl suite's curve operations on node:crypto KeyObjects (cached per key). `pinnedRandom`:
 * ephemeral keys come from the suite's `randomBytes`, as tweetnacl's do (tests pin them).
 */
function nodeNaclBackend(pinnedRandom: boolean): NaclBackend {
  const privateObjects = new WeakMap<NaclPrivateKey, CurveObjects>();
  const publicObjects = new WeakMap<NaclPublicKey, CurveObjects>();
  const privateObjectsOf = (key: NaclPrivateKey): CurveObjects => {
    let objects = privateObjects.get(key);
    if (!objects) {
      objects = {
        sign: privateObject('Ed25519', key.signSeed, key.publicKey.signPublicKey),
        box: privateObject('X25519', key.boxSecretKey, key.publicKey.boxPublicKey),
      };
      privateObjects.set(key, objects);
    }
    return objects;
  };
  const publicObjectsOf = (key: NaclPublicKey): CurveObjects => {
    let objects = publicObjects.get(key);
    if (!objects) {
      try {
        objects = { sign: publicObject('Ed25519', key.signPublicKey), box: publicObject('X25519', key.boxPublicKey) };
      } catch (error) {
        throw cryptoError('NaCl public key is not a valid curve point', error);
      }
      publicObjects.set(key, objects);
    }
    return objects;
  };
  const ephemeralKey = (randomBytes: RandomSource): KeyObject => {
    if (!pinnedRandom) return generateKeyPairSync('x25519').privateKey;
    return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, randomBytes(KEY)]), format: 'der', type: 'pkcs8' });
  };
  return {
    signer(key) {
      const objects = privateObjectsOf(key);
      return (data) => u8(sign(null, data, objects.sign));
    },
    verifier(key) {
      const objects = publicObjectsOf(key);
      return (data, signature) => verify(null, data, objects.sign, signature);
    },
    sealKey(recipient, randomBytes) {
      const ephemeral = ephemeralKey(randomBytes);
      return { ephemeralPublic: rawPublic(ephemeral), boxKey: boxKey(ephemeral, publicObjectsOf(recipient).box) };
    },
    openKey(own, ephemeralPublic) {
      let peer: KeyObject;
      try {
        peer = publicObject('X25519', ephemeralPublic);
      } catch (error) {
        throw cryptoError('sealed box does not open with this key', error);
      }
      return boxKey(privateObjectsOf(own).box, peer);
    },
    sha512: (data) => u8(createHash('sha512').update(data).digest()),
  };
}

/**
 * The NaCl suite with its curve operations on node:crypto (OpenSSL): Ed25519 signatures and
 * X25519 key agreement as KeyObjects, 20–170× faster than tweetnacl's pure JS. Byte for byte the
 * same as `NaclSuite` (Ed25519 is deterministic; the sealed box is X25519 → HSalsa20 → secretbox,
 * tweetnacl's `box`), so either end may use either backend. Sessions stay on tweetnacl's
 * XSalsa20-Poly1305, which node:crypto does not have.
 */
export class NodeNaclSuite extends NaclSuite {
  override readonly backend: string = 'node';

  protected override createBackend(options: NaclSuiteOptions): NaclBackend {
    return nodeNaclBackend(options.randomBytes !== undefined);
  }
}

export function createNodeNaclSuite(options?: NaclSuiteOptions): NodeNaclSuite {
  return new NodeNaclSuite(options);
}
