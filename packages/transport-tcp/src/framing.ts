import { decode, ErrorCodes, packb, ProtocolError } from '@brine/contracts';

/** A TCP frame: Salt's `{head, body}` map. */
export interface Frame {
  head: Record<string, unknown>;
  body: unknown;
}

const FRAME_PREFIX = packb('head'); // the map header and key names never change
const BODY_KEY = packb('body');

/**
 * `salt.transport.frame.frame_msg(body, header)`: msgpack (use_bin_type=True) of `{head, body}`.
 * `encodedBody` lets a caller encode once and send to many connections.
 */
export function encodeFrame(head: Record<string, unknown>, body: unknown): Uint8Array {
  return joinFrame(packb(head), packb(body));
}

export function joinFrame(encodedHead: Uint8Array, encodedBody: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + FRAME_PREFIX.length + encodedHead.length + BODY_KEY.length + encodedBody.length);
  let at = 0;
  out[at++] = 0x82; // fixmap, 2 entries
  out.set(FRAME_PREFIX, at);
  at += FRAME_PREFIX.length;
  out.set(encodedHead, at);
  at += encodedHead.length;
  out.set(BODY_KEY, at);
  at += BODY_KEY.length;
  out.set(encodedBody, at);
  return out;
}

/** Decodes one complete frame; a value that is not a `{head: map, body}` map is ERR_BAD_FRAME. */
export function decodeFrame(bytes: Uint8Array, maxLength: number): Frame {
  const value = decode(bytes, { maxLength });
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError(ErrorCodes.BAD_FRAME, 'TCP frame is not a map');
  }
  const frame = value as Record<string, unknown>;
  const head = frame.head;
  if (head === null || typeof head !== 'object' || Array.isArray(head) || head instanceof Uint8Array) {
    throw new ProtocolError(ErrorCodes.BAD_FRAME, 'TCP frame has no head map');
  }
  if (!('body' in frame)) throw new ProtocolError(ErrorCodes.BAD_FRAME, 'TCP frame has no body');
  return { head: head as Record<string, unknown>, body: frame.body };
}
