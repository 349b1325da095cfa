import { ErrorCodes, ProtocolError } from '@brine/contracts';

/** A request as a ROUTER sees it: the routing envelope (identity … empty delimiter) and one body frame. */
export interface RoutedRequest {
  /** Every frame up to and including the empty delimiter; echoed in front of the reply. */
  envelope: Buffer[];
  body: Buffer;
}

/**
 * Splits a ROUTER message. A salt-minion's REQ socket sends `[b"", body]`, which the ROUTER
 * receives as `[identity, b"", body]`; a Brine DEALER adds a request-id frame before the
 * delimiter (`[identity, id, b"", body]`), as a REQ behind a proxy would. Anything without an
 * empty delimiter, or with other than exactly one frame after it, is a ProtocolError.
 */
export function splitRouted(frames: readonly Buffer[], maxEnvelopeSize = Infinity): RoutedRequest | ProtocolError {
  let delimiter = -1;
  let envelopeBytes = frames[0]?.length ?? 0;
  for (let i = 1; i < frames.length; i++) {
    if (frames[i]!.length === 0) {
      delimiter = i;
      break;
    }
    envelopeBytes += frames[i]!.length;
    if (envelopeBytes > maxEnvelopeSize || i >= MAX_ENVELOPE_FRAMES) {
      // Echoed in front of the reply: never let a peer make the server hold (and send) a big one.
      return new ProtocolError(
        ErrorCodes.BAD_FRAME,
        `request envelope over ${maxEnvelopeSize} bytes or ${MAX_ENVELOPE_FRAMES} frames; refused`,
        { details: { frames: frames.length, envelopeBytes, maxEnvelopeSize } },
      );
    }
  }
  if (delimiter < 0) {
    return new ProtocolError(
      ErrorCodes.BAD_FRAME,
      `request of ${frames.length} frame(s) has no empty delimiter frame`,
      {
        details: { frames: frames.length },
      },
    );
  }
  const after = frames.length - delimiter - 1;
  if (after !== 1) {
    return new ProtocolError(ErrorCodes.BAD_FRAME, `request has ${after} frame(s) after the delimiter, expected 1`, {
      details: { frames: frames.length },
    });
  }
  return { envelope: frames.slice(0, delimiter + 1), body: frames[delimiter + 1]! };
}

/** Frames a routing envelope may have before its delimiter (identity, request id, proxy hops). */
export const MAX_ENVELOPE_FRAMES = 8;

/** The request-id frame a Brine DEALER puts before the delimiter: 4 bytes, big-endian. */
export function encodeRequestId(id: number): Buffer {
  const frame = Buffer.allocUnsafe(4);
  frame.writeUInt32BE(id, 0);
  return frame;
}

/** Parses a reply `[id, b"", body]` on the DEALER side. */
export function splitReply(frames: readonly Buffer[]): { id: number; body: Buffer } | ProtocolError {
  if (frames.length !== 3 || frames[0]!.length !== 4 || frames[1]!.length !== 0) {
    return new ProtocolError(
      ErrorCodes.BAD_FRAME,
      `reply is not [request id, delimiter, body] (${frames.length} frame(s))`,
      { details: { frames: frames.length } },
    );
  }
  return { id: frames[0]!.readUInt32BE(0), body: frames[2]! };
}

/** Parses a reply `[b"", body]` to a request sent REQ-style (`[b"", body]`, no request id). */
export function splitPlainReply(frames: readonly Buffer[]): { body: Buffer } | ProtocolError {
  if (frames.length !== 2 || frames[0]!.length !== 0) {
    return new ProtocolError(ErrorCodes.BAD_FRAME, `reply is not [delimiter, body] (${frames.length} frame(s))`, {
      details: { frames: frames.length },
    });
  }
  return { body: frames[1]! };
}

/** A short printable label for a routing identity (libzmq makes 5-byte ids for anonymous peers). */
export function identityLabel(identity: Buffer): string {
  const printable = identity.length > 0 && identity.every((b) => b > 0x20 && b < 0x7f);
  return printable ? identity.toString('latin1') : `0x${identity.toString('hex')}`;
}

/**
 * A plain Uint8Array over a Buffer's bytes (no copy). Brine hands out Uint8Arrays (what the
 * contracts say, and what `toEqual` compares against); a Buffer's `.slice()` would also alias its
 * memory where a Uint8Array's copies.
 */
export function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
