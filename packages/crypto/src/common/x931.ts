import { bigIntToBytes, bytesToBigInt } from './bigint.js';
import { invalidArgument } from './errors.js';

/**
 * ANSI X9.31 padding as OpenSSL's `RSA_padding_add_X931` builds it (Salt's `rsax931.py` signs with
 * `RSA_private_encrypt(..., RSA_X931_PADDING)`, no hashing): `6B BB..BB BA ‖ msg ‖ CC`, or
 * `6A ‖ msg ‖ CC` when no pad byte fits.
 */
export function x931Pad(message: Uint8Array, k: number): Uint8Array {
  const j = k - message.length - 2;
  if (j < 0) throw invalidArgument(`message of ${message.length} bytes is too long for an X9.31 block of ${k}`);
  const block = new Uint8Array(k);
  let p = 0;
  if (j === 0) {
    block[p++] = 0x6a;
  } else {
    block[p++] = 0x6b;
    block.fill(0xbb, p, p + j - 1);
    p += j - 1;
    block[p++] = 0xba;
  }
  block.set(message, p);
  block[k - 1] = 0xcc;
  return block;
}

/**
 * The message inside an X9.31 block, or undefined when the block is malformed. Unlike OpenSSL's
 * check, a `6B BA` header (exactly one pad byte) is accepted, since `x931Pad` makes it.
 */
export function x931Unpad(block: Uint8Array): Uint8Array | undefined {
  const k = block.length;
  if (k < 2 || block[k - 1] !== 0xcc) return undefined;
  if (block[0] === 0x6a) return block.slice(1, k - 1);
  if (block[0] !== 0x6b) return undefined;
  let i = 1;
  while (i < k - 1 && block[i] === 0xbb) i++;
  if (i >= k - 1 || block[i] !== 0xba) return undefined;
  return block.slice(i + 1, k - 1);
}

/** The signer's last step (OpenSSL): output `min(s, n − s)`. */
export function x931Normalize(s: Uint8Array, n: bigint): Uint8Array {
  const value = bytesToBigInt(s);
  const other = n - value;
  return bigIntToBytes(other < value ? other : value, s.length);
}

/** The verifier's first step (OpenSSL): `m = s^e mod n` is the block when it ends in nibble 0xC, else `n − m` is. */
export function x931Denormalize(m: Uint8Array, n: bigint): Uint8Array {
  const value = bytesToBigInt(m);
  return (value & 0xfn) === 12n ? m : bigIntToBytes(n - value, m.length);
}
