import type { CryptoSuite, PrivateKey, PublicKey, Logger } from '@brine/contracts';
import { cleanKey } from '../keystore/clean-key.js';
import type { KeyStore } from '../keystore/types.js';
import { TOKEN_MESSAGE } from '../protocol/constants.js';

/** The minion's identity: minion.pem/minion.pub, and its `tok` (deterministic, so computed once). */
export class MinionKeys {
  private tokPromise: Promise<Uint8Array> | undefined;

  private constructor(
    private readonly suite: CryptoSuite,
    readonly privateKey: PrivateKey,
    readonly publicKey: PublicKey,
    /** `clean_key(minion.pub)`: the `pub` field of `_auth`. */
    readonly publicPem: string,
  ) {}

  static async load(store: KeyStore, suite: CryptoSuite, options: { keysize?: number; logger?: Logger } = {}) {
    options.logger?.debug('salt.crypt.get_rsa_key: Loading private key');
    const pair = await store.ensureKeyPair('minion', async () => {
      options.logger?.info(`Generating keys: ${store.location}`);
      const generated = await suite.generateKeyPair({ bits: options.keysize ?? 2048 });
      return {
        privatePem: suite.exportPrivateKey(generated.privateKey),
        publicPem: suite.exportPublicKey(generated.publicKey),
      };
    });
    options.logger?.debug(`Loaded minion key: ${store.location}/minion.pem`);
    const privateKey = suite.importPrivateKey(pair.privatePem);
    return new MinionKeys(suite, privateKey, suite.publicKeyOf(privateKey), cleanKey(pair.publicPem));
  }

  /** `gen_token(b"salt")`: X9.31 signature of "salt" (Salt suite), proving this minion's identity. */
  token(): Promise<Uint8Array> {
    this.tokPromise ??= this.suite.signToken(this.privateKey, TOKEN_MESSAGE);
    return this.tokPromise;
  }
}
