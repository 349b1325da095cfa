import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes, type DigestAlgorithm } from '@brine/contracts';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { createNaclSuite } from '@brine/crypto/nacl';

const ALGORITHMS: readonly DigestAlgorithm[] = ['sha1', 'sha224', 'sha256', 'sha512'];

/** FIPS 180 examples for "abc". */
const ABC: Record<DigestAlgorithm, string> = {
  sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
  sha224: '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha512:
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
};

describe.each([
  ['forge', createForgeSaltSuite()],
  ['nacl', createNaclSuite()],
])('pure-JS digests of the %s suite (@noble/hashes)', (_, suite) => {
  it.each(ALGORITHMS)('%s gives the FIPS 180 digest of "abc"', (algorithm) => {
    expect(bytes.toHex(suite.digest(algorithm, bytes.utf8Encode('abc')))).toBe(ABC[algorithm]);
  });

  it.each(ALGORITHMS)('%s matches node:crypto over lengths 0..300 and 100 KB', (algorithm) => {
    for (const length of [...Array.from({ length: 300 }, (_, i) => i), 100_000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 17 + length) & 0xff);
      expect(bytes.toHex(suite.digest(algorithm, data))).toBe(createHash(algorithm).update(data).digest('hex'));
    }
  });

  it('refuses a digest outside the contract with ERR_INVALID_ARGUMENT', () => {
    expect(() => suite.digest('md5' as DigestAlgorithm, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
