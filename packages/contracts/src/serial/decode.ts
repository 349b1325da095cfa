import { Decoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { isBrineError, ErrorCodes, ProtocolError } from '../errors/index.js';
import { utf8DecodeStrict } from '../util/bytes.js';
import { ExtValue, SaltConstant, SaltDatetime } from './types.js';

export interface DecodeOptions {
  /**
   * `salt` (default): `salt.payload.loads` semantics. str and bin values come back as strings when
   * they are valid UTF-8 and as Uint8Array otherwise (Salt's `decode_embedded_strs`).
   * `raw`: every str and bin value comes back as Uint8Array (`raw=True` without the UTF-8 pass).
   */
  strings?: 'salt' | 'raw';
  /** Upper bound for any single str/bin/ext length and array/map element count. Default: no bound beyond the input. */
  maxLength?: number;
}

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: SaltDatetime.EXT_TYPE,
  encode: () => null,
  decode: (data) => new SaltDatetime(String.fromCharCode(...data)),
});
extensionCodec.register({
  type: SaltConstant.EXT_TYPE,
  encode: () => null,
  decode: (data) => {
    const pair = decode(data);
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw new ProtocolError(ErrorCodes.DECODE, 'ext 79 (Salt constant) is not a [name, value] pair');
    }
    return new SaltConstant(pair[0], pair[1]);
  },
});

const decoders = new Map<number, Decoder<undefined>>();

function decoderFor(maxLength: number): Decoder<undefined> {
  let decoder = decoders.get(maxLength);
  if (!decoder) {
    decoder = new Decoder({
      extensionCodec,
      useBigInt64: true,
      rawStrings: true,
      maxStrLength: maxLength,
      maxBinLength: maxLength,
      maxArrayLength: maxLength,
      maxMapLength: maxLength,
      maxExtLength: maxLength,
      mapKeyConverter: mapKey,
    });
    if (decoders.size > 16) decoders.clear();
    decoders.set(maxLength, decoder);
  }
  return decoder;
}

function mapKey(key: unknown): string | number {
  if (typeof key === 'string' || typeof key === 'number') return key;
  if (typeof key === 'bigint') return key.toString();
  if (key instanceof Uint8Array) return utf8DecodeStrict(key) ?? String.fromCharCode(...key);
  if (key === null || typeof key === 'boolean') return String(key);
  throw new ProtocolError(ErrorCodes.DECODE, `unsupported map key type ${typeof key}`);
}

/**
 * Decodes one msgpack value that must span all of `bytes`.
 * Malformed input, trailing bytes or a length over `maxLength` raise a ProtocolError (`ERR_DECODE`).
 * Byte values in the result never alias `bytes`.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): unknown {
  let value: unknown;
  try {
    value = decoderFor(options.maxLength ?? 0xffffffff).decode(bytes);
  } catch (error) {
    if (isBrineError(error)) throw error;
    throw new ProtocolError(ErrorCodes.DECODE, `malformed msgpack: ${(error as Error).message}`, { cause: error });
  }
  return normalize(value, options.strings !== 'raw');
}

/** `salt.payload.loads(bytes)`. */
export function loads(bytes: Uint8Array, options: Omit<DecodeOptions, 'strings'> = {}): unknown {
  return decode(bytes, options);
}

/** Copies byte views, applies Salt's UTF-8 pass, narrows bigints that fit a safe number. */
function normalize(value: unknown, embeddedStrs: boolean): unknown {
  if (value === null || typeof value !== 'object') {
    if (
      typeof value === 'bigint' &&
      value >= BigInt(Number.MIN_SAFE_INTEGER) &&
      value <= BigInt(Number.MAX_SAFE_INTEGER)
    ) {
      return Number(value);
    }
    return value;
  }
  if (value instanceof Uint8Array) {
    if (embeddedStrs) {
      const text = utf8DecodeStrict(value);
      if (text !== undefined) return text;
    }
    // A plain Uint8Array copy: never a view into the input (Buffer#slice would alias it).
    return new Uint8Array(value);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i], embeddedStrs);
    return value;
  }
  if (value instanceof SaltDatetime || value instanceof SaltConstant) return value;
  if (value instanceof ExtData) return new ExtValue(value.type, new Uint8Array(value.data as Uint8Array));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = normalize(record[key], embeddedStrs);
  return record;
}
