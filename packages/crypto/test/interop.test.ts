import { beforeAll, describe, expect, it } from 'vitest';
import { bytes, type CryptoSuite, type KeyPair } from '@brine/contracts';
import { Crypticle } from '@brine/core';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { createNodeSaltSuite } from '@brine/crypto/node';

const text = (s: string): Uint8Array => bytes.utf8Encode(s);

describe('node <-> forge Salt suites', () => {
  const node = createNodeSaltSuite();
  const forge = createForgeSaltSuite();
  let nodePair: KeyPair;
  let forgePair: KeyPair;

  beforeAll(async () => {
    [nodePair, forgePair] = await Promise.all([node.generateKeyPair(), forge.generateKeyPair()]);
  });

  /** The same key pair as seen by `suite`, through PEM text. */
  const asSeenBy = (suite: CryptoSuite, from: CryptoSuite, pair: KeyPair): KeyPair => ({
    privateKey: suite.importPrivateKey(from.exportPrivateKey(pair.privateKey)),
    publicKey: suite.importPublicKey(from.exportPublicKey(pair.publicKey)),
  });

  it('write the same PEM text for the same key', () => {
    const inForge = asSeenBy(forge, node, nodePair);
    expect(forge.exportPrivateKey(inForge.privateKey)).toBe(node.exportPrivateKey(nodePair.privateKey));
    expect(forge.exportPublicKey(inForge.publicKey)).toBe(node.exportPublicKey(nodePair.publicKey));
    const inNode = asSeenBy(node, forge, forgePair);
    expect(node.exportPrivateKey(inNode.privateKey)).toBe(forge.exportPrivateKey(forgePair.privateKey));
  });

  for (const [a, b, label] of [
    [node, forge, 'node -> forge'],
    [forge, node, 'forge -> node'],
  ] as const) {
    describe(label, () => {
      it('the other side opens what one side seals, for both OAEP hashes', async () => {
        const pair = a === node ? nodePair : forgePair;
        const other = asSeenBy(b, a, pair);
        const secret = text(a.generateSessionKey());
        for (const algo of a.encAlgos) {
          const sealed = await a.seal(pair.publicKey, secret, { algo });
          expect(await b.open(other.privateKey, sealed, { algo })).toEqual(secret);
        }
      });

      it('signatures verify across, and X9.31 tokens are identical and recover across', async () => {
        const pair = a === node ? nodePair : forgePair;
        const other = asSeenBy(b, a, pair);
        const data = text('publish ciphertext bytes');
        for (const algo of a.sigAlgos) {
          const signature = await a.sign(pair.privateKey, data, { algo });
          expect(await b.sign(other.privateKey, data, { algo })).toEqual(signature);
          expect(await b.verify(other.publicKey, data, signature, { algo })).toBe(true);
        }
        const token = await a.signToken(pair.privateKey, text('salt'));
        expect(await b.signToken(other.privateKey, text('salt'))).toEqual(token);
        expect(await b.recoverToken(other.publicKey, token)).toEqual(text('salt'));
      });

      it('session ciphers read each other and agree byte for byte with the same IV', () => {
        const key = a.generateSessionKey();
        const blob = new Crypticle(a.sessionCipher(key)).dumps(
          { big: new Uint8Array(5000).fill(0xff) },
          'a'.repeat(32),
        );
        expect(new Crypticle(b.sessionCipher(key)).loads(blob, { nonce: 'a'.repeat(32) })).toEqual({
          big: new Uint8Array(5000).fill(0xff),
        });
        const iv = () => new Uint8Array(16).fill(9);
        const make = (suite: CryptoSuite) =>
          (suite === node ? createNodeSaltSuite : createForgeSaltSuite)({ randomBytes: iv }).sessionCipher(key);
        expect(make(a).encrypt(text('same'))).toEqual(make(b).encrypt(text('same')));
      });

      it('agree on every digest', () => {
        const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
        for (const algorithm of ['sha1', 'sha224', 'sha256', 'sha512'] as const) {
          expect(b.digest(algorithm, data)).toEqual(a.digest(algorithm, data));
        }
      });
    });
  }
});
