import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError, ConfigError, CryptoError, ErrorCodes, type CryptoSuite, type KeyPair } from '@brine/contracts';
import { createPooledSuite, PooledCryptoSuite, THREAD_ID_OP, type PooledSuiteOptions } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';

const BACKEND = { module: '@brine/crypto/node', exportName: 'createNodeSaltSuite' };
const CHILD = fileURLToPath(new URL('./fixtures/pool-child.mjs', import.meta.url));
const text = (s: string) => new TextEncoder().encode(s);

const base = createNodeSaltSuite();
const suites: PooledCryptoSuite[] = [];
function pooled(options: Partial<PooledSuiteOptions> = {}, from: CryptoSuite = base): PooledCryptoSuite {
  const suite = createPooledSuite(from, { ...BACKEND, size: 2, ...options });
  suites.push(suite);
  return suite;
}

let keys: KeyPair;
let other: KeyPair;
let suite: PooledCryptoSuite;
beforeAll(async () => {
  [keys, other] = await Promise.all([base.generateKeyPair(), base.generateKeyPair()]);
  suite = pooled();
  await suite.ready();
});
afterAll(async () => {
  await Promise.all(suites.map((s) => s.close()));
});

describe('pooled suite: same results as the base suite', () => {
  it('has the base suite id, backend and algorithms', () => {
    expect(suite).toBeInstanceOf(PooledCryptoSuite);
    expect(suite).toMatchObject({ id: 'salt', backend: 'node', encAlgos: base.encAlgos, sigAlgos: base.sigAlgos });
  });

  it('signs byte for byte like the base suite (PKCS#1 v1.5, both algorithms)', async () => {
    const data = text('{"ret": true, "nonce": "0123456789abcdef"}');
    for (const algo of base.sigAlgos) {
      const signature = await suite.sign(keys.privateKey, data, { algo });
      expect(signature).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(signature).equals(Buffer.from(await base.sign(keys.privateKey, data, { algo })))).toBe(true);
      expect(await base.verify(keys.publicKey, data, signature, { algo })).toBe(true);
    }
    const a = await suite.sign(keys.privateKey, data);
    const b = await suite.sign(other.privateKey, data);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false); // the key really is per key id
  });

  it('signToken equals the base suite (X9.31) and recovers', async () => {
    const message = base.digest('sha256', text('the shared AES key'));
    const token = await suite.signToken(keys.privateKey, message);
    expect(Buffer.from(token).equals(Buffer.from(await base.signToken(keys.privateKey, message)))).toBe(true);
    expect(await suite.recoverToken(keys.publicKey, token)).toEqual(message);
  });

  it('opens what the base suite sealed (OAEP, both algorithms)', async () => {
    const secret = text(base.generateSessionKey());
    for (const algo of base.encAlgos) {
      expect(await suite.open(keys.privateKey, await base.seal(keys.publicKey, secret, { algo }), { algo })).toEqual(
        secret,
      );
    }
    expect(await suite.open(other.privateKey, await suite.seal(other.publicKey, secret))).toEqual(secret);
  });

  it('fails like the base suite: same class, code and message', async () => {
    const garbage = new Uint8Array(256).fill(7);
    const expected = await base.open(keys.privateKey, garbage).catch((e: unknown) => e);
    const error = await suite.open(keys.privateKey, garbage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CryptoError);
    expect(error).toMatchObject({ code: (expected as CryptoError).code, message: (expected as CryptoError).message });
    expect((error as CryptoError).cause).toBeInstanceOf(Error); // the worker's error, with its stack
    const foreign = { type: 'private', suite: 'salt', bits: 2048 } as const;
    await expect(suite.sign(foreign, garbage)).rejects.toMatchObject({ code: ErrorCodes.KEY_FORMAT });
  });

  it('runs the public-key and symmetric operations through the base suite', async () => {
    const cipher = suite.sessionCipher(suite.generateSessionKey());
    expect(cipher.decrypt(cipher.encrypt(text('x')))).toEqual(text('x'));
    expect(suite.digest('sha1', text('abc'))).toEqual(base.digest('sha1', text('abc')));
    expect(suite.randomBytes(12)).toHaveLength(12);
    const pem = suite.exportPrivateKey(keys.privateKey);
    expect(suite.exportPublicKey(suite.publicKeyOf(suite.importPrivateKey(pem)))).toBe(
      base.exportPublicKey(keys.publicKey),
    );
  });
});

describe('pooled suite: workers', () => {
  it('spreads concurrent private-key operations across the workers', async () => {
    const s = pooled({ size: 2, maxInFlightPerWorker: 4 });
    const data = text('spread');
    const before = s.pool.stats().workers.map((w) => w.completed);
    const signatures = await Promise.all(Array.from({ length: 32 }, () => s.sign(keys.privateKey, data)));
    expect(new Set(signatures.map((sig) => Buffer.from(sig).toString('hex'))).size).toBe(1);
    const done = s.pool.stats().workers.map((w, i) => w.completed - before[i]!);
    expect(done.reduce((a, b) => a + b)).toBe(32);
    expect(done.every((n) => n >= 3)).toBe(true); // each took cap - 1 at once (the key setup holds a slot)
    const ids = await Promise.all(Array.from({ length: 4 }, () => s.pool.run<number>(THREAD_ID_OP)));
    expect(new Set(ids).size).toBe(2);
  });

  it('exports each private key to the workers once', async () => {
    let exports = 0;
    const counting: CryptoSuite = Object.assign(Object.create(base) as CryptoSuite, {
      exportPrivateKey: (key: Parameters<CryptoSuite['exportPrivateKey']>[0]) => (
        exports++,
        base.exportPrivateKey(key)
      ),
    });
    const s = pooled({ size: 2 }, counting);
    await Promise.all(Array.from({ length: 8 }, () => s.sign(keys.privateKey, text('once'))));
    expect(exports).toBe(1);
    await s.signToken(other.privateKey, text('other'));
    await s.open(keys.privateKey, await base.seal(keys.publicKey, text('again')));
    expect(exports).toBe(2);
  });

  it('describes its workers and refuses a backend with another suite id', async () => {
    const infos = await suite.pool.broadcast('describe');
    expect(infos).toEqual(
      suite.pool.stats().workers.map((w) => ({ id: 'salt', backend: 'node', threadId: w.threadId })),
    );
    const nacl = pooled({ module: '@brine/crypto/nacl', exportName: 'createNaclSuite', size: 1 });
    await expect(nacl.ready()).rejects.toMatchObject({ code: ErrorCodes.CONFIG });
  });

  it('rejects with ERR_CONFIG when the backend cannot be loaded', async () => {
    const missing = pooled({ module: '@brine/no-such-backend', size: 1 });
    const error = await missing.sign(keys.privateKey, text('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('@brine/no-such-backend');
    const noExport = pooled({ exportName: 'createNothing', size: 1 });
    await expect(noExport.ready()).rejects.toThrow(/createNothing/);
  });
});

describe('pooled suite: close', () => {
  it('rejects pending and later private-key operations with ERR_CLOSED', async () => {
    const s = pooled({ size: 2, maxInFlightPerWorker: 2 });
    const pending = Array.from({ length: 10 }, () => s.sign(keys.privateKey, text('pending')));
    const settled = Promise.allSettled(pending);
    await s.close();
    const results = await settled;
    expect(results.map((r) => r.status === 'rejected' && (r.reason as ClosedError).code)).toEqual(
      Array(10).fill(ErrorCodes.CLOSED),
    );
    await expect(s.open(keys.privateKey, new Uint8Array(256))).rejects.toBeInstanceOf(ClosedError);
    await expect(s.close()).resolves.toBeUndefined();
    // public-key work does not need the workers
    expect(await s.seal(keys.publicKey, text('still works'))).toHaveLength(256);
  });

  it('leaves nothing behind: a child process using the pooled suite exits on its own', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CHILD, 'suite'], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ results: 4, before: 2, active: 0 });
  });
});
