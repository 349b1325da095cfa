import type WebSocket from 'ws';
import { ErrorCodes, StateError } from '@brine/contracts';

/**
 * What the request server reads of a `ws` connection's frame parser (ws 8's `Receiver`): the
 * payload limit in force (`_maxPayload`, checked against each frame's declared length as soon as its
 * header is parsed), the declared length of the data message being received (`_totalPayloadLength`,
 * all its fragments so far) and the bytes read but not parsed yet (`_bufferedBytes`). These are not
 * public API: {@link receiverOf} checks they exist, so a `ws` upgrade that renames them fails loudly.
 */
export interface ReceiverView {
  /** The largest message accepted from now on. */
  setMaxPayload(bytes: number): void;
  /** Bytes the partial message is known to need (declared length, at least what is held); 0 between messages. */
  readonly claim: number;
}

interface ReceiverInternals {
  _maxPayload: number;
  _totalPayloadLength: number;
  _bufferedBytes: number;
}

export function receiverOf(ws: WebSocket): ReceiverView {
  const receiver = (ws as unknown as { _receiver?: Partial<ReceiverInternals> })._receiver;
  if (
    !receiver ||
    typeof receiver._maxPayload !== 'number' ||
    typeof receiver._totalPayloadLength !== 'number' ||
    typeof receiver._bufferedBytes !== 'number'
  ) {
    throw new StateError(ErrorCodes.INVALID_STATE, 'this version of ws has no Receiver fields the bounds need');
  }
  const r = receiver as ReceiverInternals;
  return {
    setMaxPayload: (bytes) => {
      r._maxPayload = bytes;
    },
    get claim() {
      return Math.max(r._totalPayloadLength, r._bufferedBytes);
    },
  };
}
