import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1 } from '../src/pure/sha1.js';
import { sha224, sha256 } from '../src/pure/sha256.js';

describe('pure-JS SHA-1 / SHA-224 / SHA-256 match node:crypto', () => {
  const fns = { sha1, sha224, sha256 };
  it.each(Object.keys(fns) as Array<keyof typeof fns>)('%s over lengths 0..300 and 100 KB', (name) => {
    for (const length of [...Array.from({ length: 300 }, (_, i) => i), 100_000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 17 + length) & 0xff);
      expect(Buffer.from(fns[name](data)).toString('hex')).toBe(createHash(name).update(data).digest('hex'));
    }
  });
});
