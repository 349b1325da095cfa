import { describe, expect, it } from 'vitest';
import { bytes, ErrorCodes } from '@brine/contracts';
import { createNaclSuite, NACL_PRIVATE_LABEL, NACL_PUBLIC_LABEL } from '@brine/crypto/nacl';
import { createNodeNaclSuite } from '@brine/crypto/node';
import { cryptoCompliance } from '@brine/compliance/crypto';

cryptoCompliance({
  name: 'nacl/node',
  create: createNodeNaclSuite,
  id: 'nacl',
  privateKeyLabel: NACL_PRIVATE_LABEL,
  publicKeyLabel: NACL_PUBLIC_LABEL,
});

const text = (s: string): Uint8Array => bytes.utf8Encode(s);

/** The same "random" stream for two suites, so seals and keys come out the same. */
function counter(): (length: number) => Uint8Array {
  let n = 7;
  return (length) => Uint8Array.from({ length }, () => (n = (n * 31 + 11) & 0xff));
}

describe('NaCl on node:crypto against NaCl on tweetnacl', () => {
  it('reports node as its backend', () => {
    expect(createNodeNaclSuite().backend).toBe('node');
    expect(createNaclSuite().backend).toBe('tweetnacl');
  });

  it('produces the same bytes: keys, signatures, tokens and sealed boxes', async () => {
    const viaNode = createNodeNaclSuite({ randomBytes: counter() });
    const viaJs = createNaclSuite({ randomBytes: counter() });
    const a = await viaNode.generateKeyPair();
    const b = await viaJs.generateKeyPair();
    expect(viaNode.exportPrivateKey(a.privateKey)).toBe(viaJs.exportPrivateKey(b.privateKey));
    const message = text('the same message');
    expect(await viaNode.sign(a.privateKey, message)).toEqual(await viaJs.sign(b.privateKey, message));
    expect(await viaNode.signToken(a.privateKey, text('salt'))).toEqual(
      await viaJs.signToken(b.privateKey, text('salt')),
    );
    expect(await viaNode.seal(a.publicKey, message)).toEqual(await viaJs.seal(b.publicKey, message));
  });

  for (const [from, to, label] of [
    [createNodeNaclSuite(), createNaclSuite(), 'node -> tweetnacl'],
    [createNaclSuite(), createNodeNaclSuite(), 'tweetnacl -> node'],
  ] as const) {
    it(`${label}: the other backend opens, verifies and recovers`, async () => {
      const pair = await from.generateKeyPair();
      const privateKey = to.importPrivateKey(from.exportPrivateKey(pair.privateKey));
      const publicKey = to.importPublicKey(from.exportPublicKey(pair.publicKey));
      const secret = text(from.generateSessionKey());
      expect(await to.open(privateKey, await from.seal(pair.publicKey, secret))).toEqual(secret);
      expect(await from.open(pair.privateKey, await to.seal(publicKey, secret))).toEqual(secret);
      const signature = await from.sign(pair.privateKey, secret);
      expect(await to.verify(publicKey, secret, signature)).toBe(true);
      expect(await to.recoverToken(publicKey, await from.signToken(pair.privateKey, text('salt')))).toEqual(
        text('salt'),
      );
      expect(await to.verify(publicKey, text('other'), signature)).toBe(false);
    });
  }

  it('refuses a sealed box whose ephemeral key is a low-order point, with a typed error', async () => {
    const suite = createNodeNaclSuite();
    const { privateKey } = await suite.generateKeyPair();
    const forged = new Uint8Array(32 + 16 + 8); // all-zero ephemeral key: X25519 gives the zero point
    await expect(suite.open(privateKey, forged)).rejects.toMatchObject({ code: ErrorCodes.CRYPTO });
  });
});
