import { toHex } from '@brine/contracts/bytes';

/** Salt's `uuid.uuid4().hex`: 32 lower-hex chars with the version-4 and variant bits set. */
export function uuid4Hex(randomBytes: (length: number) => Uint8Array): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return toHex(b);
}
