import { describe, expect, it } from 'vitest';
import { bytes } from '@brine/contracts';
import { createNaclSuite, NACL_PRIVATE_LABEL, NACL_PUBLIC_LABEL } from '@brine/crypto/nacl';
import { cryptoCompliance } from '@brine/compliance/crypto';

cryptoCompliance({
  name: 'nacl/tweetnacl',
  create: createNaclSuite,
  id: 'nacl',
  privateKeyLabel: NACL_PRIVATE_LABEL,
  publicKeyLabel: NACL_PUBLIC_LABEL,
});

describe('NaCl suite specifics', () => {
  const suite = createNaclSuite();

  it('lists its algorithms', () => {
    expect(suite.encAlgos).toEqual(['X25519-XSalsa20Poly1305']);
    expect(suite.sigAlgos).toEqual(['Ed25519']);
  });

  it('writes version 1 ‖ Ed25519 ‖ X25519 inside its armour', async () => {
    const { privateKey, publicKey } = await suite.generateKeyPair();
    const body = (pem: string) => bytes.fromBase64(pem.split('\n').slice(1, -2).join(''));
    const priv = body(suite.exportPrivateKey(privateKey));
    const pub = body(suite.exportPublicKey(publicKey));
    expect([priv.length, priv[0], pub.length, pub[0]]).toEqual([65, 1, 65, 1]);
    const other = { ...publicKey };
    expect(other).toMatchObject({ bits: 256, suite: 'nacl' });
  });

  it('refuses an armour of another version', async () => {
    const { publicKey } = await suite.generateKeyPair();
    const pem = suite.exportPublicKey(publicKey);
    const raw = bytes.fromBase64(pem.split('\n').slice(1, -2).join(''));
    raw[0] = 2;
    const forged = `-----BEGIN ${NACL_PUBLIC_LABEL}-----\n${bytes.toBase64(raw)}\n-----END ${NACL_PUBLIC_LABEL}-----\n`;
    expect(() => suite.importPublicKey(forged)).toThrow(expect.objectContaining({ code: 'ERR_KEY_FORMAT' }));
  });

  it('makes 44-char session keys (base64 of 32 bytes) and 64-byte Ed25519 signatures', async () => {
    expect(suite.generateSessionKey()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const { privateKey } = await suite.generateKeyPair();
    expect((await suite.sign(privateKey, new Uint8Array(10))).length).toBe(64);
    expect((await suite.signToken(privateKey, new Uint8Array(4))).length).toBe(68);
  });
});
