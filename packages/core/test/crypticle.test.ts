import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BrineError,
  ConfigError,
  CryptoError,
  ErrorCodes,
  ProtocolError,
  type SessionCipher,
} from '@brine/contracts';
import { Crypticle } from '@brine/core';
import { SALT_SESSION_KEY_BYTES, extractSaltKeys, saltKeyString } from '@brine/crypto';
import { b64, hex, loadVector, toHex } from '../../../test/helpers/vectors.js';

/**
 * A Salt Crypticle cipher written straight on node:crypto for this test, so the framing in core is
 * checked without @brine/crypto. `iv` pins the IV like the vectors' patched os.urandom.
 */
function testCipher(key: string, iv?: Uint8Array): SessionCipher {
  const { aesKey, hmacKey } = extractSaltKeys(key);
  return {
    encrypt(plain) {
      const nonce = iv ?? new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
      const c = createCipheriv('aes-192-cbc', aesKey, nonce);
      const body = Buffer.concat([nonce, c.update(plain), c.final()]);
      return new Uint8Array(Buffer.concat([body, createHmac('sha256', hmacKey).update(body).digest()]));
    },
    decrypt(blob) {
      const body = blob.subarray(0, blob.length - 32);
      const mac = createHmac('sha256', hmacKey).update(body).digest();
      if (blob.length < 64 || !timingSafeEqual(mac, blob.subarray(blob.length - 32))) {
        throw new AuthError(ErrorCodes.AUTHENTICATION, 'message authentication failed');
      }
      const d = createDecipheriv('aes-192-cbc', aesKey, body.subarray(0, 16));
      return new Uint8Array(Buffer.concat([d.update(body.subarray(16)), d.final()]));
    },
  };
}

interface Case {
  name: string;
  iv_hex?: string;
  blob_b64?: string;
  object?: unknown;
  nonce?: string;
  plaintext_hex?: string;
  loads_result?: unknown;
  first_loads_result?: unknown;
}
const vectors = loadVector<{ key_string: string; aes_key_hex: string; hmac_key_hex: string; cases: Case[] }>(
  'crypticle.json',
);
const KEY = vectors.key_string;
const named = (name: string): Case => vectors.cases.find((c) => c.name === name)!;
const pinnedCrypticle = (c: Case): Crypticle => new Crypticle(testCipher(KEY, hex(c.iv_hex!)));

describe('Salt session key strings', () => {
  it('split into the AES-192 and HMAC-SHA256 keys', () => {
    const { aesKey, hmacKey } = extractSaltKeys(KEY);
    expect(toHex(aesKey)).toBe(vectors.aes_key_hex);
    expect(toHex(hmacKey)).toBe(vectors.hmac_key_hex);
    expect(KEY).toHaveLength(76);
  });

  it('round-trip 56 raw bytes as 76 base64 chars', () => {
    const raw = Uint8Array.from({ length: SALT_SESSION_KEY_BYTES }, (_, i) => i);
    expect(saltKeyString(raw)).toBe(KEY);
  });

  it('refuse anything else with CryptoError ERR_KEY_FORMAT', () => {
    for (const bad of ['', 'AAAA', KEY.slice(4), `${KEY.slice(0, -1)}!`, 'é'.repeat(76)]) {
      expect(() => extractSaltKeys(bad)).toThrow(CryptoError);
      expect(() => extractSaltKeys(bad)).toThrow(expect.objectContaining({ code: ErrorCodes.KEY_FORMAT }));
    }
    expect(() => saltKeyString(new Uint8Array(10))).toThrow(expect.objectContaining({ code: ErrorCodes.KEY_FORMAT }));
  });
});

describe('Crypticle framing (crypticle.json)', () => {
  it('dumps(load) is encrypt(b"pickle::" + salt.payload.dumps(load))', () => {
    const c = named('dumps_request_load');
    const blob = pinnedCrypticle(c).dumps(c.object);
    expect(toHex(blob)).toBe(toHex(b64(c.blob_b64!)));
    expect(toHex(testCipher(KEY).decrypt(blob))).toBe(c.plaintext_hex);
    expect(new Crypticle(testCipher(KEY)).loads(blob)).toEqual(c.loads_result);
  });

  it('dumps(obj, nonce) puts the 32-char nonce between the marker and the payload', () => {
    const c = named('dumps_reply_with_nonce');
    const blob = pinnedCrypticle(c).dumps(c.object, c.nonce);
    expect(toHex(blob)).toBe(toHex(b64(c.blob_b64!)));
    expect(new Crypticle(testCipher(KEY)).loads(blob, { nonce: c.nonce! })).toEqual(c.object);
  });

  it('a reply nonce that differs is AuthError ERR_NONCE_MISMATCH', () => {
    const c = named('dumps_reply_with_nonce');
    const loads = () => new Crypticle(testCipher(KEY)).loads(b64(c.blob_b64!), { nonce: 'f'.repeat(32) });
    expect(loads).toThrow(AuthError);
    expect(loads).toThrow(expect.objectContaining({ code: ErrorCodes.NONCE_MISMATCH }));
  });

  it('dumps(None, nonce) is the _return reply', () => {
    const c = named('dumps_none_reply_with_nonce');
    expect(toHex(pinnedCrypticle(c).dumps(null, c.nonce))).toBe(toHex(b64(c.blob_b64!)));
  });

  it('pops serial, then refuses the same serial again with AuthError ERR_REPLAY (Salt: {} + CRITICAL log)', () => {
    const c = named('dumps_publish_with_serial');
    const blob = b64(c.blob_b64!);
    const minion = new Crypticle(testCipher(KEY));
    expect(minion.loads(blob)).toEqual(c.first_loads_result);
    expect(minion.serial).toBe(7);
    expect(() => minion.loads(blob)).toThrow(AuthError);
    expect(() => minion.loads(blob)).toThrow(expect.objectContaining({ code: ErrorCodes.REPLAY }));
    // A fresh Crypticle (new key, or restart) starts from 0 again, as Salt's does.
    expect(new Crypticle(testCipher(KEY)).loads(blob)).toEqual(c.first_loads_result);
    expect(() => new Crypticle(testCipher(KEY), { serial: 7 }).loads(blob)).toThrow(
      expect.objectContaining({ code: ErrorCodes.REPLAY }),
    );
  });

  it('no pickle:: marker decodes to {}', () => {
    expect(new Crypticle(testCipher(KEY)).loads(b64(named('no_pickle_pad').blob_b64!))).toEqual({});
  });

  it('a tampered blob is AuthError ERR_AUTHENTICATION', () => {
    const loads = () => new Crypticle(testCipher(KEY)).loads(b64(named('tampered_blob').blob_b64!));
    expect(loads).toThrow(expect.objectContaining({ code: ErrorCodes.AUTHENTICATION }));
  });
});

describe('Crypticle edge cases', () => {
  const cipher = testCipher(KEY);

  it('serial 0 is refused from the start (Salt starts its counter at 0; masters send 1 first)', () => {
    expect(() => new Crypticle(cipher).loads(new Crypticle(cipher).dumps({ serial: 0 }))).toThrow(
      expect.objectContaining({ code: ErrorCodes.REPLAY }),
    );
  });

  it('only dicts are checked for serial; other payloads pass untouched', () => {
    const c = new Crypticle(cipher);
    expect(c.loads(c.dumps([1, 2, { serial: 0 }]))).toEqual([1, 2, { serial: 0 }]);
    expect(c.loads(c.dumps('serial'))).toBe('serial');
    expect(c.serial).toBe(0);
  });

  it('a non-integer serial is ProtocolError ERR_BAD_LOAD', () => {
    const c = new Crypticle(cipher);
    expect(() => c.loads(c.dumps({ serial: 'x' }))).toThrow(ProtocolError);
    expect(() => c.loads(c.dumps({ serial: 'x' }))).toThrow(expect.objectContaining({ code: ErrorCodes.BAD_LOAD }));
  });

  it('serials beyond 2^53 compare as bigints', () => {
    const c = new Crypticle(cipher);
    const big = 2n ** 60n;
    expect(c.loads(c.dumps({ serial: big, a: 1 }))).toEqual({ a: 1 });
    expect(c.serial).toBe(big);
    expect(() => c.loads(c.dumps({ serial: 2 ** 53 }))).toThrow(expect.objectContaining({ code: ErrorCodes.REPLAY }));
  });

  it('refuses a nonce that is not 32 ASCII characters', () => {
    expect(() => new Crypticle(cipher).dumps({}, 'short')).toThrow(ConfigError);
    expect(() => new Crypticle(cipher).dumps({}, 'short')).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
  });

  it('malformed msgpack after the marker is ProtocolError ERR_DECODE', () => {
    const blob = cipher.encrypt(new Uint8Array([...new TextEncoder().encode('pickle::'), 0xc1]));
    expect(() => new Crypticle(cipher).loads(blob)).toThrow(expect.objectContaining({ code: ErrorCodes.DECODE }));
  });

  it('wraps an untyped cipher failure as AuthError ERR_AUTHENTICATION with the cause', () => {
    const failing: SessionCipher = {
      encrypt: (p) => p,
      decrypt: () => {
        throw new TypeError('boom');
      },
    };
    let error: unknown;
    try {
      new Crypticle(failing).loads(new Uint8Array(64));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BrineError);
    expect(error).toMatchObject({ code: ErrorCodes.AUTHENTICATION, cause: expect.any(TypeError) });
  });

  it('fromKey asks the suite for the cipher', () => {
    const seen: string[] = [];
    const c = Crypticle.fromKey({ sessionCipher: (k) => (seen.push(k), cipher) }, KEY);
    expect(seen).toEqual([KEY]);
    expect(c.loads(c.dumps({ a: 1 }))).toEqual({ a: 1 });
  });
});
