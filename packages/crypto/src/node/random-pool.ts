import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

export interface RandomPool {
  /** `length` fresh bytes in their own buffer. */
  bytes(length: number): Uint8Array;
  /** Overwrites all of `target` with fresh bytes (no allocation). */
  fill(target: Uint8Array): void;
}

/**
 * CSPRNG bytes drawn from a pool refilled 4 KiB at a time: one `randomFillSync` call costs about
 * as much as 300 small draws from the pool, and every message needs an IV and a nonce. Each byte is
 * handed out once, always as a copy: no caller shares an ArrayBuffer with another's secrets.
 */
export function randomPool(): RandomPool {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  const fill = (target: Uint8Array): void => {
    const length = target.length;
    if (length > POOL_BYTES / 4) {
      randomFillSync(target);
      return;
    }
    if (offset + length > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    target.set(pool.subarray(offset, offset + length));
    pool.fill(0, offset, offset + length);
    offset += length;
  };
  return {
    fill,
    bytes(length) {
      const out = new Uint8Array(length);
      fill(out);
      return out;
    },
  };
}
