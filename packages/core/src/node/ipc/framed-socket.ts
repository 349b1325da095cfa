import type net from 'node:net';
import { decode, packb, FrameSplitter, ErrorCodes, ProtocolError } from '@brine/contracts';
import { isDict, type Dict } from '../../protocol/values.js';

/**
 * Default local frame limit: the same as the default `max_message_size` (64 MiB), so one return
 * the master accepted fits the control reply and every event follower's frame.
 */
export const IPC_MAX_FRAME = 64 * 1024 * 1024;

/** Salt's `frame_msg`: msgpack `{head, body}` (use_bin_type=True), no length prefix. */
export function frameMsg(body: unknown, head: Dict = {}): Uint8Array {
  return packb({ head, body });
}

/** Reads `{head, body}` frames from a local socket; calls `onFrame` for each, and `onError` once on bad input. */
export function readFrames(
  socket: net.Socket,
  onFrame: (frame: { head: Dict; body: unknown }) => void,
  onError: (error: ProtocolError) => void,
  options: { lengthPrefixed?: boolean; maxMessageSize?: number } = {},
): void {
  const MAX = options.maxMessageSize ?? IPC_MAX_FRAME;
  const splitter = new FrameSplitter({ maxMessageSize: MAX });
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    try {
      let frames: Uint8Array[];
      if (options.lengthPrefixed) {
        // Salt 3008 IPC push frames: uint32 big-endian length, then the frame.
        pending = Buffer.concat([pending, chunk]);
        frames = [];
        while (pending.length >= 4) {
          const n = pending.readUInt32BE(0);
          if (n > MAX) throw new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `IPC frame of ${n} bytes`);
          if (pending.length < 4 + n) break;
          frames.push(pending.subarray(4, 4 + n));
          pending = pending.subarray(4 + n);
        }
      } else {
        frames = splitter.push(chunk);
      }
      for (const bytes of frames) {
        const value = decode(bytes, { maxLength: MAX });
        if (!isDict(value) || !isDict(value.head) || !('body' in value)) {
          throw new ProtocolError(ErrorCodes.BAD_FRAME, 'IPC frame is not {head, body}');
        }
        onFrame({ head: value.head, body: value.body });
      }
    } catch (error) {
      onError(
        error instanceof ProtocolError
          ? error
          : new ProtocolError(ErrorCodes.DECODE, 'bad IPC frame', { cause: error }),
      );
      socket.destroy();
    }
  });
}
