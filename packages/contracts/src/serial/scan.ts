import { ErrorCodes, ProtocolError } from '../errors/index.js';

/** Result of {@link measure}: the byte length of the first complete value, or how many bytes are known to be missing. */
export type Measure = { complete: true; length: number } | { complete: false; needAtLeast: number };

/**
 * Finds where the first msgpack value in `buf[start..end)` ends, without decoding it.
 * Used to cut frames out of a stream that has no length prefix (Salt's TCP transport).
 * Throws ProtocolError `ERR_DECODE` on the never-used byte 0xc1, and `ERR_MESSAGE_TOO_LARGE` as soon as
 * the value is known to be longer than `maxLength` (declared lengths are checked before the data arrives).
 */
export function measure(buf: Uint8Array, start: number, end: number, maxLength: number): Measure {
  let pos = start;
  let pending = 1; // values still to read
  const limit = start + maxLength;
  const tooLarge = (): never => {
    throw new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `message exceeds the ${maxLength}-byte limit`, {
      details: { maxLength },
    });
  };
  const need = (n: number): Measure => ({ complete: false, needAtLeast: n - start });
  const u16 = (at: number): number => (buf[at]! << 8) | buf[at + 1]!;
  const u32 = (at: number): number =>
    ((buf[at]! << 24) >>> 0) + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);

  while (pending > 0) {
    if (pos >= end) return need(pos + pending);
    const b = buf[pos]!;
    pending--;
    let header = 1;
    let body = 0;
    let children = 0;
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xc0 && b <= 0xc3 && b !== 0xc1)) {
      // fixint, negative fixint, nil, false, true
    } else if (b >= 0x80 && b <= 0x8f) {
      children = (b & 0x0f) * 2;
    } else if (b >= 0x90 && b <= 0x9f) {
      children = b & 0x0f;
    } else if (b >= 0xa0 && b <= 0xbf) {
      body = b & 0x1f;
    } else {
      switch (b) {
        case 0xc1:
          throw new ProtocolError(ErrorCodes.DECODE, 'malformed msgpack: byte 0xc1 is never used', {
            details: { offset: pos - start },
          });
        case 0xc4:
        case 0xd9:
          header = 2;
          if (pos + 2 > end) return need(pos + 2);
          body = buf[pos + 1]!;
          break;
        case 0xc5:
        case 0xda:
          header = 3;
          if (pos + 3 > end) return need(pos + 3);
          body = u16(pos + 1);
          break;
        case 0xc6:
        case 0xdb:
          header = 5;
          if (pos + 5 > end) return need(pos + 5);
          body = u32(pos + 1);
          break;
        case 0xc7:
          header = 3;
          if (pos + 2 > end) return need(pos + 2);
          body = buf[pos + 1]!;
          break;
        case 0xc8:
          header = 4;
          if (pos + 3 > end) return need(pos + 3);
          body = u16(pos + 1);
          break;
        case 0xc9:
          header = 6;
          if (pos + 5 > end) return need(pos + 5);
          body = u32(pos + 1);
          break;
        case 0xca:
          body = 4;
          break;
        case 0xcb:
          body = 8;
          break;
        case 0xcc:
        case 0xd0:
          body = 1;
          break;
        case 0xcd:
        case 0xd1:
          body = 2;
          break;
        case 0xce:
        case 0xd2:
          body = 4;
          break;
        case 0xcf:
        case 0xd3:
          body = 8;
          break;
        case 0xd4:
          header = 2;
          body = 1;
          break;
        case 0xd5:
          header = 2;
          body = 2;
          break;
        case 0xd6:
          header = 2;
          body = 4;
          break;
        case 0xd7:
          header = 2;
          body = 8;
          break;
        case 0xd8:
          header = 2;
          body = 16;
          break;
        case 0xdc:
          header = 3;
          if (pos + 3 > end) return need(pos + 3);
          children = u16(pos + 1);
          break;
        case 0xdd:
          header = 5;
          if (pos + 5 > end) return need(pos + 5);
          children = u32(pos + 1);
          break;
        case 0xde:
          header = 3;
          if (pos + 3 > end) return need(pos + 3);
          children = u16(pos + 1) * 2;
          break;
        case 0xdf:
          header = 5;
          if (pos + 5 > end) return need(pos + 5);
          children = u32(pos + 1) * 2;
          break;
      }
    }
    pos += header + body;
    pending += children;
    // Every pending value takes at least one byte: a declared count that cannot fit is refused now.
    if (pos + pending > limit) tooLarge();
  }
  if (pos > end) return need(pos);
  return { complete: true, length: pos - start };
}
