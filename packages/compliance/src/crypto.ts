/**
 * The crypto compliance suite: what every CryptoSuite backend must do. A backend runs it from a
 * spec of a few lines:
 *
 *   cryptoCompliance({ name: 'salt/node', create: createNodeSaltSuite, id: 'salt', privateKeyLabel: 'RSA PRIVATE KEY', publicKeyLabel: 'PUBLIC KEY' });
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  BrineError,
  ConfigError,
  CryptoError,
  ErrorCodes,
  bytes,
  dumps,
  type CryptoSuite,
  type ErrorCode,
  type KeyPair,
  type PrivateKey,
  type PublicKey,
} from '@brine/contracts';
import { Crypticle } from '@brine/core';
import { registerHooks, type SuiteHooks } from './hooks.js';

export interface CryptoSuiteSpec extends SuiteHooks {
  name: string;
  /** Makes a suite; `randomBytes` replaces its randomness (IVs, nonces, session keys). */
  create: (options?: { randomBytes?: (length: number) => Uint8Array }) => CryptoSuite;
  /** The suite id it must report (`salt`, `nacl`). */
  id: string;
  /** PEM labels of the key text it writes. */
  privateKeyLabel: string;
  publicKeyLabel: string;
}

const text = (s: string): Uint8Array => bytes.utf8Encode(s);

/** Calls `fn` and returns what it threw, failing when it did not throw a BrineError. */
async function thrown(fn: () => unknown): Promise<BrineError> {
  try {
    await fn();
  } catch (error) {
    expect(error, `expected a BrineError, got ${String(error)}`).toBeInstanceOf(BrineError);
    return error as BrineError;
  }
  return expect.fail('expected an error, none was thrown');
}

async function expectCode(
  fn: () => unknown,
  code: ErrorCode,
  type: abstract new (...args: never[]) => BrineError = BrineError,
): Promise<void> {
  const error = await thrown(fn);
  expect(error).toBeInstanceOf(type);
  expect(error.code).toBe(code);
}

/** Deterministic "random" bytes: a counter stream, so two suites built with it agree. */
function counterRandom(): (length: number) => Uint8Array {
  let n = 0;
  return (length) => Uint8Array.from({ length }, () => n++ & 0xff);
}

function flip(data: Uint8Array, index: number): Uint8Array {
  const copy = data.slice();
  copy[index < 0 ? copy.length + index : index]! ^= 0x01;
  return copy;
}

export function cryptoCompliance(spec: CryptoSuiteSpec): void {
  describe(`crypto compliance: ${spec.name}`, () => {
    registerHooks(spec);
    const suite = spec.create();
    let alice: KeyPair;
    let bob: KeyPair;
    const foreignPrivate = { type: 'private', suite: 'other', bits: 0 } as PrivateKey;
    const foreignPublic = { type: 'public', suite: 'other', bits: 0 } as PublicKey;

    beforeAll(async () => {
      [alice, bob] = await Promise.all([suite.generateKeyPair(), suite.generateKeyPair()]);
    });

    describe('identity and keys', () => {
      it('names itself and lists its algorithms', () => {
        expect(suite.id).toBe(spec.id);
        expect(suite.backend).toMatch(/\S/);
        expect(suite.encAlgos.length).toBeGreaterThan(0);
        expect(suite.sigAlgos.length).toBeGreaterThan(0);
      });

      it('generates key pairs whose halves belong together', () => {
        expect(alice.privateKey).toMatchObject({ type: 'private', suite: spec.id });
        expect(alice.publicKey).toMatchObject({ type: 'public', suite: spec.id });
        expect(alice.privateKey.bits).toBe(alice.publicKey.bits);
        expect(alice.privateKey.bits).toBeGreaterThanOrEqual(256);
        expect(suite.exportPublicKey(suite.publicKeyOf(alice.privateKey))).toBe(suite.exportPublicKey(alice.publicKey));
        expect(suite.exportPublicKey(alice.publicKey)).not.toBe(suite.exportPublicKey(bob.publicKey));
      });

      it('exports keys as PEM text and imports them back unchanged', async () => {
        const privateText = suite.exportPrivateKey(alice.privateKey);
        const publicText = suite.exportPublicKey(alice.publicKey);
        expect(privateText.startsWith(`-----BEGIN ${spec.privateKeyLabel}-----\n`)).toBe(true);
        expect(privateText.endsWith(`-----END ${spec.privateKeyLabel}-----\n`)).toBe(true);
        expect(publicText.startsWith(`-----BEGIN ${spec.publicKeyLabel}-----\n`)).toBe(true);
        const privateKey = suite.importPrivateKey(privateText);
        const publicKey = suite.importPublicKey(publicText);
        expect(suite.exportPrivateKey(privateKey)).toBe(privateText);
        expect(suite.exportPublicKey(publicKey)).toBe(publicText);
        expect(privateKey.bits).toBe(alice.privateKey.bits);
        // The imported halves work with the original ones.
        const sealed = await suite.seal(alice.publicKey, text('secret'));
        expect(await suite.open(privateKey, sealed)).toEqual(text('secret'));
        expect(await suite.verify(publicKey, text('m'), await suite.sign(alice.privateKey, text('m')))).toBe(true);
      });

      it('imports key text without its trailing newline (Salt clean_key form) or with CRLF', () => {
        const publicText = suite.exportPublicKey(alice.publicKey);
        const clean = publicText.trim();
        expect(suite.exportPublicKey(suite.importPublicKey(clean))).toBe(publicText);
        expect(suite.exportPublicKey(suite.importPublicKey(publicText.replace(/\n/g, '\r\n')))).toBe(publicText);
      });

      it('rejects malformed key text with CryptoError ERR_KEY_FORMAT', async () => {
        const privateText = suite.exportPrivateKey(alice.privateKey);
        const publicText = suite.exportPublicKey(alice.publicKey);
        const bad = [
          '',
          'not a key',
          privateText.slice(0, privateText.length / 2),
          privateText.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'),
          `-----BEGIN ${spec.privateKeyLabel}-----\nAAAA\n-----END ${spec.privateKeyLabel}-----\n`,
          `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
          publicText,
        ];
        for (const input of bad)
          await expectCode(() => suite.importPrivateKey(input), ErrorCodes.KEY_FORMAT, CryptoError);
        for (const input of [...bad.slice(0, 6), privateText]) {
          await expectCode(() => suite.importPublicKey(input), ErrorCodes.KEY_FORMAT, CryptoError);
        }
        await expectCode(
          () => suite.importPrivateKey(undefined as unknown as string),
          ErrorCodes.KEY_FORMAT,
          CryptoError,
        );
      });

      it('refuses keys it did not make with CryptoError ERR_KEY_FORMAT', async () => {
        await expectCode(() => suite.exportPrivateKey(foreignPrivate), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(() => suite.exportPublicKey(foreignPublic), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(() => suite.seal(foreignPublic, text('x')), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(() => suite.open(foreignPrivate, new Uint8Array(256)), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(() => suite.sign(foreignPrivate, text('x')), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(() => suite.signToken(foreignPrivate, text('x')), ErrorCodes.KEY_FORMAT, CryptoError);
        await expectCode(
          () => suite.recoverToken(foreignPublic, new Uint8Array(256)),
          ErrorCodes.KEY_FORMAT,
          CryptoError,
        );
      });
    });

    describe('seal / open', () => {
      it('round-trips a session key string under every enc algo, with fresh randomness each time', async () => {
        const secret = text(suite.generateSessionKey());
        for (const algo of suite.encAlgos) {
          const a = await suite.seal(alice.publicKey, secret, { algo });
          const b = await suite.seal(alice.publicKey, secret, { algo });
          expect(bytes.bytesEqual(a, b)).toBe(false);
          expect(await suite.open(alice.privateKey, a, { algo })).toEqual(secret);
          expect(await suite.open(alice.privateKey, b, { algo })).toEqual(secret);
        }
      });

      it('defaults to the first enc algo', async () => {
        const sealed = await suite.seal(alice.publicKey, text('x'));
        expect(await suite.open(alice.privateKey, sealed, { algo: suite.encAlgos[0] })).toEqual(text('x'));
      });

      it('fails with CryptoError ERR_CRYPTO for the wrong key, a flipped bit, garbage or another algo', async () => {
        const sealed = await suite.seal(alice.publicKey, text('secret'));
        await expectCode(() => suite.open(bob.privateKey, sealed), ErrorCodes.CRYPTO, CryptoError);
        await expectCode(() => suite.open(alice.privateKey, flip(sealed, 40)), ErrorCodes.CRYPTO, CryptoError);
        await expectCode(() => suite.open(alice.privateKey, sealed.subarray(1)), ErrorCodes.CRYPTO, CryptoError);
        await expectCode(() => suite.open(alice.privateKey, new Uint8Array(0)), ErrorCodes.CRYPTO, CryptoError);
        await expectCode(
          () => suite.open(alice.privateKey, new Uint8Array(sealed.length).fill(0xff)),
          ErrorCodes.CRYPTO,
          CryptoError,
        );
        for (const other of suite.encAlgos.slice(1)) {
          await expectCode(() => suite.open(alice.privateKey, sealed, { algo: other }), ErrorCodes.CRYPTO, CryptoError);
        }
      });

      it('refuses an algorithm it does not list', async () => {
        await expectCode(
          () => suite.seal(alice.publicKey, text('x'), { algo: 'ROT13' }),
          ErrorCodes.INVALID_ARGUMENT,
          ConfigError,
        );
        await expectCode(
          () => suite.sign(alice.privateKey, text('x'), { algo: 'ROT13' }),
          ErrorCodes.INVALID_ARGUMENT,
          ConfigError,
        );
      });
    });

    describe('sign / verify', () => {
      it('verifies its signatures under every sig algo and rejects any change', async () => {
        const data = dumps({ ret: true, nonce: '0123456789abcdef0123456789abcdef' });
        for (const algo of suite.sigAlgos) {
          const signature = await suite.sign(alice.privateKey, data, { algo });
          expect(await suite.verify(alice.publicKey, data, signature, { algo })).toBe(true);
          expect(await suite.verify(alice.publicKey, flip(data, 3), signature, { algo })).toBe(false);
          expect(await suite.verify(alice.publicKey, data, flip(signature, 5), { algo })).toBe(false);
          expect(await suite.verify(alice.publicKey, data, flip(signature, -1), { algo })).toBe(false);
          expect(await suite.verify(bob.publicKey, data, signature, { algo })).toBe(false);
          expect(await suite.verify(alice.publicKey, data, signature.subarray(1), { algo })).toBe(false);
          expect(await suite.verify(alice.publicKey, data, new Uint8Array(0), { algo })).toBe(false);
          for (const other of suite.sigAlgos.filter((x) => x !== algo)) {
            expect(await suite.verify(alice.publicKey, data, signature, { algo: other })).toBe(false);
          }
        }
      });
    });

    describe('signToken / recoverToken', () => {
      it('recovers the message, deterministically', async () => {
        const token = await suite.signToken(alice.privateKey, text('salt'));
        expect(await suite.recoverToken(alice.publicKey, token)).toEqual(text('salt'));
        expect(await suite.signToken(alice.privateKey, text('salt'))).toEqual(token);
        const hex = text('420e2e9f2e3c8c5b67e7040d7e6bad564013137121a8e9db5f608589cd4c2d94');
        expect(await suite.recoverToken(alice.publicKey, await suite.signToken(alice.privateKey, hex))).toEqual(hex);
      });

      it('gives undefined for the wrong key, a flipped bit or garbage', async () => {
        const token = await suite.signToken(alice.privateKey, text('salt'));
        expect(await suite.recoverToken(bob.publicKey, token)).toBeUndefined();
        expect(await suite.recoverToken(alice.publicKey, flip(token, 7))).toBeUndefined();
        expect(await suite.recoverToken(alice.publicKey, flip(token, -1))).toBeUndefined();
        expect(await suite.recoverToken(alice.publicKey, token.subarray(1))).toBeUndefined();
        expect(await suite.recoverToken(alice.publicKey, new Uint8Array(0))).toBeUndefined();
        expect(await suite.recoverToken(alice.publicKey, new Uint8Array(token.length).fill(0xff))).toBeUndefined();
      });
    });

    describe('session cipher', () => {
      it('round-trips payloads of every size with a fresh IV each time', () => {
        const cipher = suite.sessionCipher(suite.generateSessionKey());
        for (const size of [0, 1, 15, 16, 17, 1024, 100_000]) {
          const plain = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
          const a = cipher.encrypt(plain);
          expect(cipher.decrypt(a)).toEqual(plain);
          expect(bytes.bytesEqual(a, cipher.encrypt(plain))).toBe(false);
        }
      });

      it('makes a new key each time, in a form sessionCipher accepts', () => {
        const a = suite.generateSessionKey();
        expect(typeof a).toBe('string');
        expect(a).not.toBe(suite.generateSessionKey());
        expect(() => suite.sessionCipher(a)).not.toThrow();
      });

      it('fails with AuthError ERR_AUTHENTICATION for tampering, truncation or the wrong key', async () => {
        const key = suite.generateSessionKey();
        const cipher = suite.sessionCipher(key);
        const blob = cipher.encrypt(text('hello session'));
        for (const index of [0, 20, blob.length - 40, -1]) {
          await expectCode(() => cipher.decrypt(flip(blob, index)), ErrorCodes.AUTHENTICATION, AuthError);
        }
        for (const cut of [1, 16, 32, blob.length - 1, blob.length]) {
          await expectCode(
            () => cipher.decrypt(blob.subarray(0, blob.length - cut)),
            ErrorCodes.AUTHENTICATION,
            AuthError,
          );
        }
        await expectCode(
          () => cipher.decrypt(bytes.concatBytes([blob, new Uint8Array(16)])),
          ErrorCodes.AUTHENTICATION,
          AuthError,
        );
        const other = suite.sessionCipher(suite.generateSessionKey());
        await expectCode(() => other.decrypt(blob), ErrorCodes.AUTHENTICATION, AuthError);
      });

      it('rejects a malformed key string with CryptoError ERR_KEY_FORMAT', async () => {
        const key = suite.generateSessionKey();
        for (const bad of ['', 'not base64 at all!', key.slice(0, -8), `${key}AAAA`]) {
          await expectCode(() => suite.sessionCipher(bad), ErrorCodes.KEY_FORMAT, CryptoError);
        }
      });

      it('takes its randomness from the injected source', () => {
        const key = spec.create().generateSessionKey();
        const a = spec.create({ randomBytes: counterRandom() });
        const b = spec.create({ randomBytes: counterRandom() });
        expect(a.generateSessionKey()).toBe(b.generateSessionKey());
        expect(a.sessionCipher(key).encrypt(text('x'))).toEqual(b.sessionCipher(key).encrypt(text('x')));
        expect(a.randomBytes(8)).toEqual(b.randomBytes(8));
      });
    });

    describe('Crypticle over this suite', () => {
      const nonce = '0123456789abcdef0123456789abcdef';

      it('dumps and loads loads, with and without a nonce', () => {
        const key = suite.generateSessionKey();
        const sender = Crypticle.fromKey(suite, key);
        const receiver = Crypticle.fromKey(suite, key);
        const load = { cmd: '_return', id: 'minion1', return: { a: [1, 2] }, bin: new Uint8Array([0xff, 0]) };
        expect(receiver.loads(sender.dumps(load))).toEqual(load);
        expect(receiver.loads(sender.dumps(load, nonce), { nonce })).toEqual(load);
        expect(receiver.loads(sender.dumps(null, nonce), { nonce })).toBeNull();
      });

      it('rejects a reply with another nonce (ERR_NONCE_MISMATCH) or under another key (ERR_AUTHENTICATION)', async () => {
        const key = suite.generateSessionKey();
        const c = Crypticle.fromKey(suite, key);
        const blob = c.dumps({ ret: 'ok' }, nonce);
        await expectCode(() => c.loads(blob, { nonce: 'f'.repeat(32) }), ErrorCodes.NONCE_MISMATCH, AuthError);
        const other = Crypticle.fromKey(suite, suite.generateSessionKey());
        await expectCode(() => other.loads(blob, { nonce }), ErrorCodes.AUTHENTICATION, AuthError);
      });

      it('drops a publish whose serial is not above the last one (ERR_REPLAY)', async () => {
        const key = suite.generateSessionKey();
        const master = Crypticle.fromKey(suite, key);
        const minion = Crypticle.fromKey(suite, key);
        const first = master.dumps({ fun: 'test.ping', serial: 1 });
        expect(minion.loads(first)).toEqual({ fun: 'test.ping' });
        await expectCode(() => minion.loads(first), ErrorCodes.REPLAY, AuthError);
        expect(minion.loads(master.dumps({ fun: 'test.echo', serial: 5 }))).toEqual({ fun: 'test.echo' });
        await expectCode(() => minion.loads(master.dumps({ fun: 'x', serial: 4 })), ErrorCodes.REPLAY, AuthError);
        expect(minion.serial).toBe(5);
      });

      it('decodes a plaintext without the pickle:: marker to {} as Salt does', () => {
        const key = suite.generateSessionKey();
        const blob = suite.sessionCipher(key).encrypt(dumps({ a: 1 }));
        expect(Crypticle.fromKey(suite, key).loads(blob)).toEqual({});
      });
    });

    describe('digest and randomness', () => {
      it('computes the four contract digests', () => {
        const abc = text('abc');
        expect(bytes.toHex(suite.digest('sha1', abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
        expect(bytes.toHex(suite.digest('sha224', abc))).toBe(
          '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
        );
        expect(bytes.toHex(suite.digest('sha256', abc))).toBe(
          'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        );
        expect(bytes.toHex(suite.digest('sha512', abc)).slice(0, 32)).toBe('ddaf35a193617abacc417349ae204131');
        expect(bytes.toHex(suite.digest('sha256', new Uint8Array(0)))).toBe(
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        );
      });

      it('refuses an unknown digest with a typed error', async () => {
        await expectCode(() => suite.digest('md5' as 'sha1', text('x')), ErrorCodes.INVALID_ARGUMENT, ConfigError);
      });

      it('returns random bytes of the asked length', () => {
        expect(suite.randomBytes(0).length).toBe(0);
        const a = suite.randomBytes(32);
        expect(a).toBeInstanceOf(Uint8Array);
        expect(a.length).toBe(32);
        expect(bytes.bytesEqual(a, suite.randomBytes(32))).toBe(false);
        expect(suite.randomBytes(70_000).length).toBe(70_000);
      });
    });

    describe('garbage in', () => {
      it('throws only BrineErrors, or answers false/undefined, for random input of any size', async () => {
        const cipher = suite.sessionCipher(suite.generateSessionKey());
        const c = new Crypticle(cipher);
        for (const size of [0, 1, 31, 32, 48, 64, 100, 255, 256, 257, 512]) {
          const junk = Uint8Array.from({ length: size }, (_, i) => (i * 131 + size) & 0xff);
          await thrown(() => suite.open(alice.privateKey, junk));
          await thrown(() => cipher.decrypt(junk));
          await thrown(() => c.loads(junk));
          expect(await suite.verify(alice.publicKey, junk, junk)).toBe(false);
          expect(await suite.recoverToken(alice.publicKey, junk)).toBeUndefined();
        }
      });
    });
  });
}
