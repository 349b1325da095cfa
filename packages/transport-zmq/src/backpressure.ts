import { delay, throwIfAborted } from '@brine/contracts';
import type { MessageLike, XPublisher } from 'zeromq';
import { socketError, zmqCode } from './errors.js';
import { setLiveOption } from './sockets.js';

/** How a message left: to every matching subscriber, or to all but the ones still full after the drain timeout. */
export type SendOutcome = 'sent' | 'dropped-for-full';

const FIRST_BACKOFF_MS = 1;
const MAX_BACKOFF_MS = 50;

/**
 * Publishes one message on an XPUB socket that has `ZMQ_XPUB_NODROP` set. libzmq then refuses the
 * whole message with `EAGAIN` (instead of silently dropping it) while any subscriber it matches
 * is at its high-water mark, and tells no one when room frees up, so this retries with an
 * exponential back-off (1 ms doubling to 50 ms). After `drainTimeout` ms it sends once in lossy
 * mode: libzmq writes the message to every matching subscriber that has room and skips the full
 * ones (and keeps skipping a skipped subscriber until its queue is back under the low-water mark).
 * No one is stalled longer than `drainTimeout`; a message is dropped only for a peer at its mark.
 */
export async function publishWithBackpressure(
  socket: XPublisher,
  frames: MessageLike[],
  drainTimeout: number,
  signal: AbortSignal | undefined,
  onFull?: () => void,
): Promise<SendOutcome> {
  const started = performance.now();
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    throwIfAborted(signal);
    try {
      await socket.send(frames);
      return 'sent';
    } catch (error) {
      if (zmqCode(error) !== 'EAGAIN' || socket.closed) throw socketError(error, 'publish', socket.closed);
    }
    if (backoff === FIRST_BACKOFF_MS) onFull?.();
    const left = drainTimeout - (performance.now() - started);
    if (left <= 0) {
      await sendLossy(socket, frames);
      return 'dropped-for-full';
    }
    await delay(Math.min(backoff, left), signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

async function sendLossy(socket: XPublisher, frames: MessageLike[]): Promise<void> {
  setLiveOption(() => (socket.noDrop = false));
  try {
    // XPUB is always writable, so zeromq.js hands the message to libzmq synchronously here.
    await socket.send(frames);
  } catch (error) {
    throw socketError(error, 'publish', socket.closed);
  } finally {
    if (!socket.closed) setLiveOption(() => (socket.noDrop = true));
  }
}
