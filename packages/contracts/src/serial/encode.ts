import { ErrorCodes, ProtocolError } from '../errors/index.js';
import { ExtValue, Float64, SaltConstant, SaltDatetime } from './types.js';

export interface EncodeOptions {
  /**
   * `false` (Salt's `salt.payload.dumps` default, used for ZeroMQ and WebSocket bodies): bytes go out
   * in the str family and str8 is never used (str16 from 32 bytes).
   * `true` (`use_bin_type=True`, used for TCP frames and the event bus): bytes go out as bin, str8 allowed.
   */
  binType?: boolean;
  /** Nesting limit, a guard against cycles. Default 256. */
  maxDepth?: number;
}

const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const textEncoder = new TextEncoder();

/**
 * Salt-compatible msgpack encoder. Mirrors msgpack-python's packer with Salt's ext hook:
 * smallest int width, float64 for every non-integer (and for {@link Float64}), ints beyond
 * 64 bits as decimal strings, Date/{@link SaltDatetime} as ext 78, {@link SaltConstant} as ext 79,
 * Set as array, Map with any keys.
 */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(
    private binType: boolean,
    private maxDepth: number,
    initial = 256,
  ) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts a new value in the same buffer. */
  reset(binType: boolean, maxDepth: number): void {
    this.binType = binType;
    this.maxDepth = maxDepth;
    this.pos = 0;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  private head8(tag: number, v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = v;
  }

  private head16(tag: number, v: number): void {
    this.ensure(3);
    this.buf[this.pos++] = tag;
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  private head32(tag: number, v: number): void {
    this.ensure(5);
    this.buf[this.pos++] = tag;
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  private bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  write(value: unknown, depth: number): void {
    if (depth > this.maxDepth) {
      throw new ProtocolError(ErrorCodes.ENCODE, `value nests deeper than ${this.maxDepth} levels (a cycle?)`);
    }
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        return this.u8(value ? 0xc3 : 0xc2);
      case 'bigint':
        return this.bigint(value);
      case 'undefined':
        return this.u8(0xc0);
      case 'object':
        return this.object(value, depth);
      default:
        throw new ProtocolError(ErrorCodes.ENCODE, `cannot encode a value of type ${typeof value}`);
    }
  }

  private object(value: object | null, depth: number): void {
    if (value === null) return this.u8(0xc0);
    if (value instanceof Uint8Array) return this.rawBytes(value);
    if (Array.isArray(value)) {
      this.arrayHead(value.length);
      for (const item of value) this.write(item, depth + 1);
      return;
    }
    if (value instanceof Float64) return this.float(value.value);
    if (value instanceof Map) {
      this.mapHead(value.size);
      for (const [k, v] of value) {
        this.write(k, depth + 1);
        this.write(v, depth + 1);
      }
      return;
    }
    if (value instanceof Set) {
      this.arrayHead(value.size);
      for (const item of value) this.write(item, depth + 1);
      return;
    }
    if (value instanceof SaltDatetime) return this.ext(SaltDatetime.EXT_TYPE, textEncoder.encode(value.text));
    if (value instanceof Date)
      return this.ext(SaltDatetime.EXT_TYPE, textEncoder.encode(SaltDatetime.fromDate(value).text));
    if (value instanceof SaltConstant) {
      return this.ext(SaltConstant.EXT_TYPE, encode([value.name, value.value], { binType: true }));
    }
    if (value instanceof ExtValue) return this.ext(value.type, value.data);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      throw new ProtocolError(ErrorCodes.ENCODE, 'only Uint8Array is accepted for bytes');
    }
    const keys = Object.keys(value);
    this.mapHead(keys.length);
    for (const key of keys) {
      this.string(key);
      this.write((value as Record<string, unknown>)[key], depth + 1);
    }
  }

  private number(value: number): void {
    // Integers beyond 2^53 are not exact as numbers: they go out as float64, as Python floats do. Use bigint for exact big ints.
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return this.int(value);
    this.float(value);
  }

  private float(value: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  private int(v: number): void {
    if (v >= 0) {
      if (v < 0x80) return this.u8(v);
      if (v < 0x100) return this.head8(0xcc, v);
      if (v < 0x10000) return this.head16(0xcd, v);
      if (v < 0x100000000) return this.head32(0xce, v);
      this.ensure(9);
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, BigInt(v));
      this.pos += 8;
      return;
    }
    if (v >= -32) return this.u8(v & 0xff);
    if (v >= -0x80) return this.head8(0xd0, v & 0xff);
    if (v >= -0x8000) {
      this.ensure(3);
      this.buf[this.pos++] = 0xd1;
      this.view.setInt16(this.pos, v);
      this.pos += 2;
      return;
    }
    if (v >= -0x80000000) {
      this.ensure(5);
      this.buf[this.pos++] = 0xd2;
      this.view.setInt32(this.pos, v);
      this.pos += 4;
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0xd3;
    this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }

  private bigint(v: bigint): void {
    if (v > MAX_U64 || v < MIN_I64) return this.string(v.toString()); // Salt's OverflowError fallback
    if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return this.int(Number(v));
    this.ensure(9);
    if (v > 0n) {
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, v);
    } else {
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, v);
    }
    this.pos += 8;
  }

  private string(value: string): void {
    // Fast path for ASCII, which is almost every key and short value.
    const len = value.length;
    if (len < 32) {
      let ascii = true;
      for (let i = 0; i < len; i++) {
        if (value.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.ensure(1 + len);
        this.buf[this.pos++] = 0xa0 | len;
        for (let i = 0; i < len; i++) this.buf[this.pos++] = value.charCodeAt(i);
        return;
      }
    }
    this.strHead(textEncoder.encode(value));
  }

  private strHead(data: Uint8Array): void {
    const n = data.length;
    if (n < 32) this.u8(0xa0 | n);
    else if (n < 0x100 && this.binType) this.head8(0xd9, n);
    else if (n < 0x10000) this.head16(0xda, n);
    else this.head32(0xdb, n);
    this.bytes(data);
  }

  private rawBytes(data: Uint8Array): void {
    if (!this.binType) return this.strHead(data);
    const n = data.length;
    if (n < 0x100) this.head8(0xc4, n);
    else if (n < 0x10000) this.head16(0xc5, n);
    else this.head32(0xc6, n);
    this.bytes(data);
  }

  private arrayHead(n: number): void {
    if (n < 16) this.u8(0x90 | n);
    else if (n < 0x10000) this.head16(0xdc, n);
    else this.head32(0xdd, n);
  }

  private mapHead(n: number): void {
    if (n < 16) this.u8(0x80 | n);
    else if (n < 0x10000) this.head16(0xde, n);
    else this.head32(0xdf, n);
  }

  private ext(type: number, data: Uint8Array): void {
    const n = data.length;
    const fixed = n === 1 ? 0xd4 : n === 2 ? 0xd5 : n === 4 ? 0xd6 : n === 8 ? 0xd7 : n === 16 ? 0xd8 : 0;
    if (fixed) this.u8(fixed);
    else if (n < 0x100) this.head8(0xc7, n);
    else if (n < 0x10000) this.head16(0xc8, n);
    else this.head32(0xc9, n);
    this.u8(type & 0xff);
    this.bytes(data);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * One Writer reused by every top-level encode, so a message is built in a buffer that has already
 * grown to size instead of a fresh 256-byte one doubling its way up; the result is copied out at
 * its exact length. A nested encode (ext 79 encodes its payload while the outer value is being
 * written) gets a Writer of its own. A buffer grown past SCRATCH_MAX is not kept.
 */
let scratch: Writer | undefined;
let scratchBusy = false;
const SCRATCH_INITIAL = 4096;
const SCRATCH_MAX = 1 << 20;

/** Encodes `value` as Salt does. See {@link EncodeOptions.binType} for the two wire conventions. */
export function encode(value: unknown, options: EncodeOptions = {}): Uint8Array {
  const binType = options.binType ?? false;
  const maxDepth = options.maxDepth ?? 256;
  if (scratchBusy) {
    const writer = new Writer(binType, maxDepth);
    writer.write(value, 0);
    return writer.result();
  }
  scratchBusy = true;
  const writer = (scratch ??= new Writer(binType, maxDepth, SCRATCH_INITIAL));
  try {
    writer.reset(binType, maxDepth);
    writer.write(value, 0);
    return writer.buf.slice(0, writer.pos);
  } finally {
    scratchBusy = false;
    if (writer.buf.length > SCRATCH_MAX) scratch = undefined;
  }
}

/** `salt.payload.dumps(value)`: the ZeroMQ/WebSocket body convention (bytes in the str family). */
export function dumps(value: unknown): Uint8Array {
  return encode(value, { binType: false });
}

/** `msgpack.packb(value)` / `dumps(value, use_bin_type=True)`: the TCP frame and event bus convention. */
export function packb(value: unknown): Uint8Array {
  return encode(value, { binType: true });
}
