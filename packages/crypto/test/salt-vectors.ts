/**
 * Salt's own vectors (test/vectors/salt), byte for byte, for a Salt suite backend. Each backend's
 * test file runs `saltVectors(...)`; randomness is pinned through the suite's `randomBytes` option.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCodes, bytes, type CryptoSuite } from '@brine/contracts';
import { Crypticle } from '@brine/core';
import { b64, hex, loadVector, toHex, vectorKey } from '../../../test/helpers/vectors.js';

export interface SaltVectorSpec {
  name: string;
  create: (options?: { randomBytes?: (length: number) => Uint8Array }) => CryptoSuite;
  /** Whether `seal` takes its OAEP seed from `randomBytes` (forge), so Salt's ciphertexts can be reproduced. */
  oaepSeedInjectable: boolean;
}

interface CrypticleCase {
  name: string;
  iv_hex?: string;
  plaintext_hex?: string;
  blob_hex?: string;
  blob_b64?: string;
  object?: unknown;
  nonce?: string;
  loads_result?: unknown;
  first_loads_result?: unknown;
}

const crypticle = loadVector<{ key_string: string; cases: CrypticleCase[] }>('crypticle.json');
const rsa = loadVector('rsa.json');
const v3 = loadVector('v3_3008.json');
const text = (s: string): Uint8Array => bytes.utf8Encode(s);
const caseNamed = (name: string): CrypticleCase => crypticle.cases.find((c) => c.name === name)!;
const blobHex = (c: CrypticleCase): string => c.blob_hex ?? toHex(b64(c.blob_b64!));

/** A random source that hands out exactly the given chunks, in order. */
export function pinned(...chunks: Uint8Array[]): (length: number) => Uint8Array {
  return (length) => {
    const next = chunks.shift();
    if (!next || next.length !== length) throw new Error(`unexpected randomBytes(${length})`);
    return next;
  };
}

export function saltVectors(spec: SaltVectorSpec): void {
  describe(`Salt vectors: ${spec.name}`, () => {
    const suite = spec.create();
    const withIv = (ivHex: string): CryptoSuite => spec.create({ randomBytes: pinned(hex(ivHex)) });

    describe('crypticle.json (Crypticle, Salt 3007.1)', () => {
      const raw = crypticle.cases.filter((c) => c.name.startsWith('encrypt_'));

      it.each(raw.map((c) => [c.name, c] as const))('%s: encrypt reproduces the blob, decrypt reverses it', (_, c) => {
        const cipher = withIv(c.iv_hex!).sessionCipher(crypticle.key_string);
        expect(toHex(cipher.encrypt(hex(c.plaintext_hex!)))).toBe(c.blob_hex);
        expect(toHex(suite.sessionCipher(crypticle.key_string).decrypt(hex(c.blob_hex!)))).toBe(c.plaintext_hex);
      });

      it('dumps_request_load: dumps reproduces the blob, loads gives the load back', () => {
        const c = caseNamed('dumps_request_load');
        const blob = Crypticle.fromKey(withIv(c.iv_hex!), crypticle.key_string).dumps(c.object);
        expect(toHex(blob)).toBe(blobHex(c));
        expect(Crypticle.fromKey(suite, crypticle.key_string).loads(blob)).toEqual(c.loads_result);
      });

      it('dumps_reply_with_nonce: the nonce goes in front, and a wrong nonce is refused', () => {
        const c = caseNamed('dumps_reply_with_nonce');
        const blob = Crypticle.fromKey(withIv(c.iv_hex!), crypticle.key_string).dumps(c.object, c.nonce);
        expect(toHex(blob)).toBe(blobHex(c));
        const reader = Crypticle.fromKey(suite, crypticle.key_string);
        expect(reader.loads(blob, { nonce: c.nonce! })).toEqual(c.object);
        expect(() => reader.loads(blob, { nonce: 'f'.repeat(32) })).toThrow(
          expect.objectContaining({ code: ErrorCodes.NONCE_MISMATCH }),
        );
      });

      it('dumps_none_reply_with_nonce: the _return reply (None)', () => {
        const c = caseNamed('dumps_none_reply_with_nonce');
        const blob = Crypticle.fromKey(withIv(c.iv_hex!), crypticle.key_string).dumps(null, c.nonce);
        expect(toHex(blob)).toBe(blobHex(c));
        expect(Crypticle.fromKey(suite, crypticle.key_string).loads(blob, { nonce: c.nonce! })).toBeNull();
      });

      it('dumps_publish_with_serial: serial popped the first time, replay refused the second', () => {
        const c = caseNamed('dumps_publish_with_serial');
        const blob = Crypticle.fromKey(withIv(c.iv_hex!), crypticle.key_string).dumps(c.object);
        expect(toHex(blob)).toBe(blobHex(c));
        const minion = Crypticle.fromKey(suite, crypticle.key_string);
        expect(minion.loads(blob)).toEqual(c.first_loads_result);
        expect(() => minion.loads(blob)).toThrow(expect.objectContaining({ code: ErrorCodes.REPLAY }));
        expect(minion.serial).toBe(7);
      });

      it('tampered_blob: AuthError ERR_AUTHENTICATION', () => {
        const blob = b64(caseNamed('tampered_blob').blob_b64!);
        const reader = Crypticle.fromKey(suite, crypticle.key_string);
        expect(() => reader.loads(blob)).toThrow(AuthError);
        expect(() => reader.loads(blob)).toThrow(expect.objectContaining({ code: ErrorCodes.AUTHENTICATION }));
      });

      it('no_pickle_pad: decodes to {}', () => {
        const c = caseNamed('no_pickle_pad');
        expect(Crypticle.fromKey(suite, crypticle.key_string).loads(b64(c.blob_b64!))).toEqual(c.loads_result);
      });
    });

    describe('v3_3008.json (Salt 3008.2)', () => {
      it('crypticle_cross_version: the 3008 cases are the 3007.1 blobs, reproduced here', () => {
        const cases = v3.crypticle_cross_version as Array<{ case: string; identical_to_3007_1: boolean }>;
        expect(cases.length).toBeGreaterThan(0);
        for (const { case: name, identical_to_3007_1 } of cases) {
          expect(identical_to_3007_1).toBe(true);
          const c = caseNamed(name);
          const cipher = withIv(c.iv_hex!).sessionCipher(crypticle.key_string);
          expect(toHex(cipher.encrypt(hex(c.plaintext_hex!)))).toBe(c.blob_hex);
        }
      });

      it('v3_request: the session-key request load and reply, and the tok inside', async () => {
        const r = v3.v3_request;
        const load = b64(r.envelope_typed.load.$str_b64);
        expect(toHex(suite.sessionCipher(r.session_key_string).decrypt(load))).toBe(r.encrypted_load_plaintext_hex);
        const reply = Crypticle.fromKey(withIv(r.iv_hex), r.session_key_string).dumps(true, r.nonce);
        expect(toHex(reply)).toBe(toHex(b64(r.reply_blob_b64)));
        const minionPub = suite.importPublicKey(vectorKey('minion.pub'));
        expect(await suite.recoverToken(minionPub, b64(r.tok_b64))).toEqual(text('salt'));
      });
    });

    describe('rsa.json (RSA as Salt uses it)', () => {
      const priv = (name: string) => suite.importPrivateKey(vectorKey(name));
      const pub = (name: string) => suite.importPublicKey(vectorKey(name));

      it('imports the PEMs Salt wrote and writes them back the same (plus a final newline)', () => {
        for (const name of ['master', 'minion', 'master_sign']) {
          const privateKey = priv(`${name}.pem`);
          expect(privateKey.bits).toBe(rsa.key_facts.bits);
          expect(suite.exportPrivateKey(privateKey)).toBe(`${vectorKey(`${name}.pem`)}\n`);
          expect(suite.exportPublicKey(suite.publicKeyOf(privateKey))).toBe(`${vectorKey(`${name}.pub`)}\n`);
          expect(suite.exportPublicKey(pub(`${name}.pub`))).toBe(`${vectorKey(`${name}.pub`)}\n`);
        }
        expect(suite.exportPublicKey(suite.importPublicKey(rsa.key_facts['clean_key(master.pub)']))).toBe(
          `${vectorKey('master.pub')}\n`,
        );
      });

      it('also reads PKCS#8 private keys and PKCS#1 public keys, and refuses non-RSA keys', () => {
        const pem = vectorKey('master.pem');
        const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }) as string;
        const pkcs1Public = createPublicKey(pem).export({ type: 'pkcs1', format: 'pem' }) as string;
        expect(pkcs8).toContain('BEGIN PRIVATE KEY');
        expect(pkcs1Public).toContain('BEGIN RSA PUBLIC KEY');
        expect(suite.exportPrivateKey(suite.importPrivateKey(pkcs8))).toBe(`${pem}\n`);
        expect(suite.exportPublicKey(suite.importPublicKey(pkcs1Public))).toBe(`${vectorKey('master.pub')}\n`);
        const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const ecPrivate = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
        const ecPublic = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string;
        expect(() => suite.importPrivateKey(ecPrivate)).toThrow(
          expect.objectContaining({ code: ErrorCodes.KEY_FORMAT }),
        );
        expect(() => suite.importPublicKey(ecPublic)).toThrow(expect.objectContaining({ code: ErrorCodes.KEY_FORMAT }));
      });

      const oaepCases = ['oaep_token_to_master', 'oaep_aes_to_minion', 'oaep_token_to_minion'];

      it.each(oaepCases)('%s: OAEP-SHA1 ciphertext decrypts to the key string', async (name) => {
        const c = rsa[name];
        const plain = await suite.open(priv(c.decrypt_with), b64(c.ciphertext_b64), { algo: 'OAEP-SHA1' });
        expect(bytes.utf8Decode(plain)).toBe(c.plaintext);
      });

      // Only a backend that takes the OAEP seed from its random source can reproduce Salt's
      // ciphertexts; node:crypto draws it inside OpenSSL, so for it the decryption above is the check.
      if (spec.oaepSeedInjectable) {
        it.each(oaepCases)('%s: the pinned seed reproduces the ciphertext', async (name) => {
          const c = rsa[name];
          const sealer = spec.create({ randomBytes: pinned(...c.oaep_seed_bytes_hex.map((h: string) => hex(h))) });
          const sealed = await sealer.seal(sealer.importPublicKey(vectorKey(c.encrypt_with)), text(c.plaintext));
          expect(toHex(sealed)).toBe(toHex(b64(c.ciphertext_b64)));
        });
      }

      it.each(['x931_auth_reply_sig', 'x931_minion_tok'])(
        '%s: X9.31 signature reproduced and recovered',
        async (name) => {
          const c = rsa[name];
          const keyName = c.key as string;
          const signature = await suite.signToken(priv(keyName), text(c.message));
          expect(toHex(signature)).toBe(toHex(b64(c.signature_b64)));
          const recovered = await suite.recoverToken(pub(keyName.replace('.pem', '.pub')), b64(c.signature_b64));
          expect(recovered).toEqual(text(c.message));
        },
      );

      it('x931_auth_reply_sig: the message is sha256(aes key string) in hex, as the minion checks it', async () => {
        const c = rsa.x931_auth_reply_sig;
        const digest = bytes.toHex(suite.digest('sha256', text(rsa.oaep_aes_to_minion.plaintext)));
        expect(digest).toBe(c.message);
      });

      interface Pkcs1Case {
        name: string;
        data_hex: string;
        key: string;
        signature_b64: string;
        verifies_with: string;
      }
      const pkcs1Cases = (rsa.pkcs1v15_sha1 as Pkcs1Case[]).map((c) => [c.name, c] as const);

      it.each(pkcs1Cases)('pkcs1v15_sha1 %s: signature reproduced and verified', async (_, c) => {
        const data = hex(c.data_hex);
        expect(toHex(await suite.sign(priv(c.key), data))).toBe(toHex(b64(c.signature_b64)));
        const signature = b64(c.signature_b64);
        expect(await suite.verify(pub(c.verifies_with), data, signature, { algo: 'PKCS1v15-SHA1' })).toBe(true);
        expect(await suite.verify(pub('minion.pub'), data, signature)).toBe(false);
      });

      it('master_pubkey_signature: pub_sig = base64(PKCS1v15-SHA1(master_sign.pem, pub_key)) + newline', async () => {
        const c = rsa.master_pubkey_signature;
        const signature = await suite.sign(priv('master_sign.pem'), text(c.message));
        expect(`${bytes.toBase64(signature)}\n`).toBe(c.pub_sig_field_text);
        expect(
          await suite.verify(pub('master_sign.pub'), text(c.message), bytes.fromBase64(c.pub_sig_field_text)),
        ).toBe(true);
      });

      it('X9.31 at the block boundaries: 6A header (no pad byte) and 6B BA (one)', async () => {
        const key = priv('master.pem');
        const publicKey = pub('master.pub');
        for (const length of [254, 253, 252, 0]) {
          const message = Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);
          expect(await suite.recoverToken(publicKey, await suite.signToken(key, message))).toEqual(message);
        }
        await expect(suite.signToken(key, new Uint8Array(255))).rejects.toMatchObject({
          code: ErrorCodes.INVALID_ARGUMENT,
        });
      });

      it('SHA-224 variants round-trip on the Salt keys', async () => {
        const secret = text(crypticle.key_string);
        const sealed = await suite.seal(pub('minion.pub'), secret, { algo: 'OAEP-SHA224' });
        expect(await suite.open(priv('minion.pem'), sealed, { algo: 'OAEP-SHA224' })).toEqual(secret);
        const signature = await suite.sign(priv('master.pem'), secret, { algo: 'PKCS1v15-SHA224' });
        expect(await suite.verify(pub('master.pub'), secret, signature, { algo: 'PKCS1v15-SHA224' })).toBe(true);
        expect(await suite.verify(pub('master.pub'), secret, signature, { algo: 'PKCS1v15-SHA1' })).toBe(false);
      });
    });
  });
}
