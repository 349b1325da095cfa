import type { DigestAlgorithm, PrivateKey, PublicKey, SessionCipher } from '@brine/contracts';
import type { SaltSessionKeys } from '../salt/salt-key.js';
import type { SaltHash } from './algos.js';
import type { RandomSource } from './random.js';

/** What the Salt suite reads off an RSA key of any backend. */
export interface RsaKeyInfo {
  /** Modulus length in bytes (`k`). */
  readonly size: number;
  readonly modulus: bigint;
}

export type RsaPrivateKey = PrivateKey & RsaKeyInfo;
export type RsaPublicKey = PublicKey & RsaKeyInfo;

/**
 * The primitives in which the Salt suite's backends (node:crypto, node-forge) really differ. The
 * suite (`SaltSuite`) does the rest once: algorithm names, argument checks, error wrapping, X9.31,
 * Salt's session key strings. Methods throw whatever their library throws; the suite wraps it.
 */
export interface SaltBackend<
  Private extends RsaPrivateKey = RsaPrivateKey,
  Public extends RsaPublicKey = RsaPublicKey,
> {
  /** Randomness for session keys (and, where the backend can take it, IVs and OAEP seeds). */
  readonly randomBytes: RandomSource;
  generateKeyPair(bits: number): Promise<{ privateKey: Private; publicKey: Public }>;

  /** Key text in and out; the imports throw CryptoError `ERR_KEY_FORMAT` themselves. */
  importPrivateKey(text: string): Private;
  importPublicKey(text: string): Public;
  exportPrivateKey(key: Private): string;
  exportPublicKey(key: Public): string;
  publicKeyOf(key: Private): Public;
  /** The key as this backend's own, or CryptoError `ERR_KEY_FORMAT` for a key of another backend. */
  asPrivate(key: PrivateKey): Private;
  asPublic(key: PublicKey): Public;

  /** RSAES-OAEP, `hash` for OAEP and MGF1, empty label. */
  oaepEncrypt(key: Public, data: Uint8Array, hash: SaltHash): Uint8Array;
  oaepDecrypt(key: Private, data: Uint8Array, hash: SaltHash): Uint8Array;
  /** RSASSA-PKCS1-v1_5. */
  pkcs1Sign(key: Private, data: Uint8Array, hash: SaltHash): Uint8Array;
  /** False (never a throw of the library's) for a signature that does not check out. */
  pkcs1Verify(key: Public, data: Uint8Array, signature: Uint8Array, hash: SaltHash): boolean;
  /** Raw RSA private-key operation on a `k`-byte block, no padding. */
  rawPrivate(key: Private, block: Uint8Array): Uint8Array;
  /** Raw `s^e mod n`, or undefined when `s` is not a `k`-byte value below `n`. */
  rawPublic(key: Public, signature: Uint8Array): Uint8Array | undefined;

  /** Salt's Crypticle cipher (AES-192-CBC + HMAC-SHA256) for one session key. */
  sessionCipher(keys: SaltSessionKeys): SessionCipher;
  /** `algorithm` is already checked against the contract's list. */
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
}
