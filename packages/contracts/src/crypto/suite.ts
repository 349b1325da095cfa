/**
 * The CryptoSuite contract. Core declares it and never imports a backend; the app (or the CLI)
 * wires one through the container (`TOKENS.CryptoSuite`). Backends live in `@brine/crypto`:
 * the Salt suite on node:crypto (default, keys held as KeyObjects) and on node-forge (pure JS,
 * for browsers), and a NaCl suite on tweetnacl for Brine-to-Brine links.
 *
 * The auth handshake is written once against this contract. Where Salt uses a specific scheme the
 * contract names the role, and the Salt suite maps it to Salt's scheme:
 *
 * | role                    | Salt suite                                   | NaCl suite                  |
 * |-------------------------|----------------------------------------------|-----------------------------|
 * | `seal` / `open`         | RSA-OAEP, SHA-1 (or SHA-224), MGF1 same hash | X25519 sealed box           |
 * | `sign` / `verify`       | RSASSA-PKCS1-v1_5, SHA-1 (or SHA-224)        | Ed25519                     |
 * | `signToken`/`recoverToken` | X9.31 private encrypt / public decrypt    | Ed25519 (message attached)  |
 * | `sessionCipher`         | Crypticle: AES-192-CBC + HMAC-SHA256 (EtM)   | XSalsa20-Poly1305 secretbox |
 */

/** A private key as the backend holds it (node: a KeyObject inside). Opaque to core. */
export interface PrivateKey {
  readonly type: 'private';
  /** The suite that made it (`salt`, `nacl`). */
  readonly suite: string;
  /** Modulus size for RSA; 256 for curve keys. */
  readonly bits: number;
}

/** A public key as the backend holds it. Opaque to core. */
export interface PublicKey {
  readonly type: 'public';
  readonly suite: string;
  readonly bits: number;
}

export interface KeyPair {
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

/** Salt's algorithm names (FIPS builds negotiate them in `enc_algo` / `sig_algo`). */
export type SaltEncAlgo = 'OAEP-SHA1' | 'OAEP-SHA224';
export type SaltSigAlgo = 'PKCS1v15-SHA1' | 'PKCS1v15-SHA224';

export interface AlgoOptions {
  /** An algorithm name this suite lists in `encAlgos` / `sigAlgos`; defaults to the suite's first. */
  algo?: string;
}

/** Symmetric session encryption for one key (Salt's Crypticle primitive, without the `pickle::` framing). */
export interface SessionCipher {
  /** Encrypts with a fresh random IV/nonce. Salt: `iv ‖ AES-192-CBC(pkcs7(p)) ‖ HMAC-SHA256(iv ‖ c)`. */
  encrypt(plaintext: Uint8Array): Uint8Array;
  /**
   * Verifies and decrypts. Throws AuthError `ERR_AUTHENTICATION` when the MAC does not match
   * (wrong key, tampering, truncation).
   */
  decrypt(blob: Uint8Array): Uint8Array;
}

export type DigestAlgorithm = 'sha1' | 'sha224' | 'sha256' | 'sha512';

export interface CryptoSuite {
  /** `salt` or `nacl`; carried in `_auth` so both ends can refuse a suite they do not speak. */
  readonly id: string;
  /** Backend name for logs and benchmarks (`node`, `forge`, `tweetnacl`). */
  readonly backend: string;
  /** Accepted `enc_algo` values, default first (Salt: `OAEP-SHA1`, `OAEP-SHA224`). */
  readonly encAlgos: readonly string[];
  /** Accepted `sig_algo` values, default first (Salt: `PKCS1v15-SHA1`, `PKCS1v15-SHA224`). */
  readonly sigAlgos: readonly string[];

  /** Salt suite: RSA with `bits` (2048 default, 4096 option), e = 65537. */
  generateKeyPair(options?: { bits?: number }): Promise<KeyPair>;
  /** Reads a private key in the text format this suite writes (Salt: PKCS#1 or PKCS#8 PEM). Throws CryptoError `ERR_KEY_FORMAT`. */
  importPrivateKey(text: string): PrivateKey;
  /** Reads a public key (Salt: SubjectPublicKeyInfo or PKCS#1 PEM). Throws CryptoError `ERR_KEY_FORMAT`. */
  importPublicKey(text: string): PublicKey;
  /** Salt: `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1), as `salt.crypt.gen_keys` writes. */
  exportPrivateKey(key: PrivateKey): string;
  /** Salt: `-----BEGIN PUBLIC KEY-----` (SPKI), as Salt writes `*.pub`. */
  exportPublicKey(key: PublicKey): string;
  publicKeyOf(key: PrivateKey): PublicKey;

  /** Encrypts a short secret to `key` (Salt: RSA-OAEP). */
  seal(key: PublicKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array>;
  /** Decrypts what `seal` made. Throws CryptoError `ERR_CRYPTO` on failure. */
  open(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array>;
  /** Signs `data` (Salt: PKCS#1 v1.5 over SHA-1). */
  sign(key: PrivateKey, data: Uint8Array, options?: AlgoOptions): Promise<Uint8Array>;
  verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: AlgoOptions): Promise<boolean>;
  /** Deterministic signature that carries its message (Salt: X9.31 `private_encrypt`). */
  signToken(key: PrivateKey, message: Uint8Array): Promise<Uint8Array>;
  /** The message inside a `signToken` signature, or undefined when it does not verify (Salt: X9.31 `public_decrypt`). */
  recoverToken(key: PublicKey, signature: Uint8Array): Promise<Uint8Array | undefined>;

  /** A new session key in this suite's text form (Salt: 76 base64 chars = AES-192 key ‖ HMAC-SHA256 key). */
  generateSessionKey(): string;
  /** A cipher for a session key string. Throws CryptoError `ERR_KEY_FORMAT` for a malformed key. */
  sessionCipher(key: string): SessionCipher;

  randomBytes(length: number): Uint8Array;
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
}
