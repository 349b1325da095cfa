import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

/**
 * CSPRNG bytes drawn from a pool refilled 4 KiB at a time: one `randomFillSync` call costs about
 * as much as 300 small draws from the pool, and every message needs an IV and a nonce. Each byte is
 * handed out once; callers get their own copy.
 */
export function pooledRandomBytes(): (length: number) => Uint8Array {
  let pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  return (length) => {
    if (length > POOL_BYTES / 4) return randomFillSync(new Uint8Array(length));
    if (offset + length > POOL_BYTES) {
      pool = randomFillSync(new Uint8Array(POOL_BYTES));
      offset = 0;
    }
    const out = pool.slice(offset, offset + length);
    offset += length;
    return out;
  };
}
