/**
 * node-forge, with types for the few internals @types/node-forge leaves out. node-forge is CommonJS,
 * so it is imported whole (Node and bundlers both give `module.exports` as the default).
 */
import forge from 'node-forge';

type RsaKey = forge.pki.rsa.PublicKey | forge.pki.rsa.PrivateKey;

export interface OaepOptions {
  md: forge.md.MessageDigest;
  mgf1: { md: forge.md.MessageDigest };
  /** Binary string, `md.digestLength` bytes. */
  seed?: string;
}

interface Pkcs1 {
  encode_rsa_oaep(key: RsaKey, message: string, options: OaepOptions): string;
  decode_rsa_oaep(key: RsaKey, em: string, options: OaepOptions): string;
}

interface RawRsa {
  /** `bt === false`: private-key operation without padding; `true`: public-key operation. No range check. */
  encrypt(m: string, key: RsaKey, bt: boolean): string;
  /** Raw operation (`ml === false`) that checks `ed` is `k` bytes and below `n`. */
  decrypt(ed: string, key: RsaKey, pub: boolean, ml: false): string;
}

export const pkcs1 = (forge as unknown as { pkcs1: Pkcs1 }).pkcs1;
export const rawRsa = forge.pki.rsa as unknown as RawRsa;
export { forge };
