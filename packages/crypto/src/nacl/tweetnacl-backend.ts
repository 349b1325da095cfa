import type { NaclBackend } from './backend.js';
import { nacl } from './tweetnacl.js';

/** The NaCl suite's primitives in pure JS on tweetnacl. */
export const tweetnaclBackend: NaclBackend = {
  signer: (key) => (data) => nacl.sign.detached(data, key.signSecretKey),
  verifier: (key) => (data, signature) => nacl.sign.detached.verify(data, signature, key.signPublicKey),
  sealKey(recipient, randomBytes) {
    const ephemeral = nacl.box.keyPair.fromSecretKey(randomBytes(nacl.box.secretKeyLength));
    return {
      ephemeralPublic: ephemeral.publicKey,
      boxKey: nacl.box.before(recipient.boxPublicKey, ephemeral.secretKey),
    };
  },
  openKey: (own, ephemeralPublic) => nacl.box.before(ephemeralPublic, own.boxSecretKey),
  sha512: (data) => nacl.hash(data),
};
