import { asBytes } from '@brine/contracts/bytes';

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map)
  );
}

/** A binary field as bytes: Salt's decoder turns bytes that happen to be valid UTF-8 into str. */
export function bytesField(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return asBytes(value);
  return undefined;
}

/** A text field: bytes are decoded as UTF-8 (Salt sends some strings as bytes). */
export function textField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}
