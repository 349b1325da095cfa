/**
 * The vectors' JSON conventions (test/vectors/salt/README.md): `{"$b64"}` bytes, `{"$str_b64"}`
 * msgpack str holding non-UTF-8 bytes, `{"$bin"}` msgpack bin. `fromTyped` turns such a tree into
 * the values Brine's `loads` yields (bytes as Uint8Array, UTF-8 text as string).
 */
import { b64 } from '../../../../test/helpers/vectors.js';

export function fromTyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromTyped);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  for (const tag of ['$b64', '$str_b64', '$bin'] as const) {
    if (typeof o[tag] === 'string' && Object.keys(o).length === 1) return b64(o[tag]);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromTyped(v)]));
}

/** The bytes inside a `$b64` / `$str_b64` / `$bin` node. */
export function typedBytes(value: unknown): Uint8Array {
  const v = fromTyped(value);
  if (!(v instanceof Uint8Array)) throw new Error(`not a byte node: ${JSON.stringify(value)}`);
  return v;
}
