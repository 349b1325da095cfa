import type { CryptoSuite, PrivateKey, PublicKey, Logger } from '@brine/contracts';
import type { KeyStore } from '../keystore/types.js';
import { cleanKey } from '../keystore/clean-key.js';

/** The master's RSA identity (master.pem/master.pub), and its optional signing pair (master_sign.*). */
export class MasterKeys {
  private constructor(
    readonly privateKey: PrivateKey,
    readonly publicKey: PublicKey,
    /** `clean_key(master.pub)`: what goes out as `pub_key` in accept replies. */
    readonly publicPem: string,
    /** `pub_sig` to send when `master_sign_pubkey` is on: base64 of SIG(master_sign.pem, pub_key) plus "\n". */
    readonly pubkeySignature: string | undefined,
  ) {}

  static async load(
    store: KeyStore,
    suite: CryptoSuite,
    options: { keysize?: number; signPubkey?: boolean; logger?: Logger } = {},
  ): Promise<MasterKeys> {
    const generate = async () => {
      options.logger?.info(`Generating master keys: ${store.location}`);
      const pair = await suite.generateKeyPair({ bits: options.keysize ?? 2048 });
      return { privatePem: suite.exportPrivateKey(pair.privateKey), publicPem: suite.exportPublicKey(pair.publicKey) };
    };
    const pair = await store.ensureKeyPair('master', generate);
    const privateKey = suite.importPrivateKey(pair.privatePem);
    const publicPem = cleanKey(pair.publicPem);
    let pubkeySignature: string | undefined;
    if (options.signPubkey) {
      const precomputed = await store.readFile('master_pubkey_signature');
      if (precomputed) {
        pubkeySignature = precomputed;
      } else {
        const signing = await store.ensureKeyPair('master_sign', generate);
        const sig = await suite.sign(suite.importPrivateKey(signing.privatePem), new TextEncoder().encode(publicPem));
        pubkeySignature = `${toBase64Text(sig)}\n`;
      }
    }
    return new MasterKeys(privateKey, suite.publicKeyOf(privateKey), publicPem, pubkeySignature);
  }
}

function toBase64Text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
