import net from 'node:net';
import { join } from 'node:path';
import { unpackEvent } from '../../events/pack.js';
import type { SaltEvent } from '../../events/event-bus.js';
import { readFrames } from './framed-socket.js';
import { EVENT_PUB_SOCKET } from './master-ipc.js';

/** Follows a master's event bus from another process (like `salt-run state.event`). Returns a stop function. */
export function subscribeMasterEvents(
  sockDir: string,
  onEvent: (event: SaltEvent) => void,
  onError?: (error: Error) => void,
): () => void {
  const socket = net.connect(join(sockDir, EVENT_PUB_SOCKET));
  socket.on('error', (error) => onError?.(error));
  readFrames(
    socket,
    (frame) => {
      if (frame.body instanceof Uint8Array) onEvent(unpackEvent(frame.body));
    },
    (error) => onError?.(error),
  );
  return () => socket.destroy();
}
