import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { ErrorCodes, ProtocolError, type BrineError } from '@brine/contracts';
import { receiverOf } from './receiver.js';

/**
 * An absolute deadline per incoming message (`messageDeadline`): armed when a message's first bytes
 * are parsed, cleared when it completes, never re-armed by its later bytes, fragments or pings.
 * For publish subscribers (the request connection keeps its own, with the inbound budget).
 */
export function watchMessageDeadline(
  ws: WebSocket,
  socket: Duplex,
  deadline: number,
  expired: (error: BrineError) => void,
): void {
  if (deadline <= 0) return;
  const receiver = receiverOf(ws);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let messages = 0;
  let armedAt = -1;
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const check = (): void => {
    if (receiver.claim === 0) return clear();
    if (timer !== undefined && armedAt === messages) return;
    clear();
    armedAt = messages;
    timer = setTimeout(() => {
      expired(
        new ProtocolError(ErrorCodes.MESSAGE_DEADLINE, `peer did not finish a message within ${deadline} ms`, {
          details: { messageDeadline: deadline },
        }),
      );
    }, deadline);
    timer.unref();
  };
  socket.on('data', check);
  ws.on('message', () => {
    messages++;
    check();
  });
  ws.once('close', clear);
}
