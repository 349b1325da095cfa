import { describe, expect, it } from 'vitest';
import { bytes } from '@brine/contracts';
import { x931Denormalize, x931Normalize, x931Pad, x931Unpad } from '../src/common/x931.js';
import { loadVector } from '../../../test/helpers/vectors.js';

const rsa = loadVector('rsa.json');

describe('X9.31 block', () => {
  it('builds the block Salt recovered for its auth reply sig and its tok', () => {
    for (const name of ['x931_auth_reply_sig', 'x931_minion_tok']) {
      const c = rsa[name];
      expect(bytes.toHex(x931Pad(bytes.utf8Encode(c.message), 256))).toBe(c.recovered_block_hex);
      expect(bytes.utf8Decode(x931Unpad(bytes.fromHex(c.recovered_block_hex))!)).toBe(c.message);
    }
  });

  it('uses 6A when no pad byte fits and 6B BA when one does', () => {
    expect(bytes.toHex(x931Pad(new Uint8Array([1, 2]), 4))).toBe('6a0102cc');
    expect(bytes.toHex(x931Pad(new Uint8Array([1]), 4))).toBe('6bba01cc');
    expect(bytes.toHex(x931Pad(new Uint8Array([]), 4))).toBe('6bbbbacc');
    expect(x931Unpad(bytes.fromHex('6a0102cc'))).toEqual(new Uint8Array([1, 2]));
    expect(x931Unpad(bytes.fromHex('6bba01cc'))).toEqual(new Uint8Array([1]));
  });

  it('rejects malformed blocks', () => {
    for (const h of ['', 'cc', '6b', '6bbbbbcc', '6bbbba01', '6c0102cc', '6bbb01bacc', '000102cc']) {
      expect(x931Unpad(bytes.fromHex(h))).toBeUndefined();
    }
  });

  it('normalizes to min(s, n - s) and back by the low nibble', () => {
    const n = 0xf1n; // odd, like every RSA modulus
    const block = new Uint8Array([0x1c]); // ends in nibble C
    const s = x931Normalize(new Uint8Array([0xe0]), n);
    expect(s).toEqual(new Uint8Array([0x11])); // n - 0xe0 = 0x11 < 0xe0
    expect(x931Denormalize(block, n)).toEqual(block);
    expect(x931Denormalize(new Uint8Array([0xf1 - 0x1c]), n)).toEqual(block);
  });
});
