/**
 * The bytes Salt's ws transport puts in WebSocket binary messages (spec/salt-wire.md §2.3):
 * requests and replies are `salt.payload.dumps(obj)` (use_bin_type=False); a publish is
 * `salt.payload.dumps(payload_bytes, use_bin_type=True)`, a msgpack bin wrapping the serialized
 * publish (double msgpack).
 */
import { decode, dumps, ErrorCodes, loads, packb, ProtocolError } from '@brine/contracts';

/** A request envelope or a reply as one binary message. */
export function encodeMessage(value: unknown): Uint8Array {
  return dumps(value);
}

/** A request or reply message back to a value (`salt.payload.loads`). Throws ProtocolError `ERR_DECODE`. */
export function decodeMessage(bytes: Uint8Array): unknown {
  return loads(plain(bytes));
}

/** A publish payload (already serialized by the channel) as one binary message: a msgpack bin around it. */
export function encodePublish(payload: Uint8Array): Uint8Array {
  return packb(payload);
}

/**
 * A publish message back to the payload bytes (`salt.payload.loads(frame, raw=True)`). Accepts bin
 * and the str family (what a use_bin_type=False peer would send). Throws ProtocolError `ERR_DECODE`
 * when the message is not exactly one byte string.
 */
export function decodePublish(frame: Uint8Array): Uint8Array {
  const value = decode(plain(frame), { strings: 'raw' });
  if (!(value instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCodes.DECODE, `publish message is a ${describe(value)}, not a byte string`);
  }
  return value;
}

/**
 * A plain Uint8Array view of `bytes`. Node's Buffer overrides `slice` to return a view, so decoded
 * byte strings would alias (and pin) the socket's buffer and come back as Buffers.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function describe(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
