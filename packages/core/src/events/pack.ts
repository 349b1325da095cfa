import { ErrorCodes, ProtocolError, decode, packb } from '@brine/contracts';
import { isDict } from '../protocol/values.js';
import { concatBytes, utf8Decode, utf8Encode } from '@brine/contracts/bytes';
import type { SaltEvent } from './event-bus.js';

const TAGEND = utf8Encode('\n\n');

/** Salt's `SaltEvent.pack`: `tag + "\n\n" + msgpack(data, use_bin_type=True)`. */
export function packEvent(event: SaltEvent): Uint8Array {
  return concatBytes([utf8Encode(event.tag), TAGEND, packb(event.data)]);
}

/** Salt's `SaltEvent.unpack`. Throws ProtocolError ERR_DECODE for anything else. */
export function unpackEvent(bytes: Uint8Array): SaltEvent {
  let split = -1;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) {
      split = i;
      break;
    }
  }
  if (split < 0) throw new ProtocolError(ErrorCodes.DECODE, 'event has no tag terminator');
  const data = decode(bytes.subarray(split + 2));
  if (!isDict(data)) throw new ProtocolError(ErrorCodes.DECODE, 'event data is not a map');
  return { tag: utf8Decode(bytes.subarray(0, split)), data };
}
