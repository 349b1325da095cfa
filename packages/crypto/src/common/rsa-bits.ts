import { invalidArgument } from './errors.js';

/** Salt's key sizes: 2048 by default (`keysize`), at least 2048, a whole number of bytes. */
export function checkRsaBits(bits = 2048): number {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384 || bits % 8 !== 0) {
    throw invalidArgument(`RSA key size must be a multiple of 8 from 2048 to 16384, got ${bits}`);
  }
  return bits;
}
