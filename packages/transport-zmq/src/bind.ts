import { chmod } from 'node:fs/promises';
import { ErrorCodes, isBrineError, isPathAddress, raceSignal, TransportError, type Address } from '@brine/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import type { Socket } from 'zeromq';
import { boundAddress, toEndpoint } from './endpoint.js';
import { zmqCode } from './errors.js';

/**
 * libzmq frees a TCP port on its I/O thread a little after close(), so a server restarting on the
 * port it just gave up would see EADDRINUSE; binding a fixed port retries for this long first.
 */
const RELEASE_GRACE_MS = 750;
const RELEASE_RETRY_MS = 25;

/**
 * Binds a server socket and returns the address it really got (the OS-chosen port for port 0).
 * An ipc:// socket file is made 0600, as Salt does for its ipc sockets.
 */
export async function bindSocket(socket: Socket, address: Address, signal?: AbortSignal): Promise<Address> {
  const endpoint = toEndpoint(address, true);
  const deadline = Date.now() + RELEASE_GRACE_MS;
  for (;;) {
    try {
      await raceSignal(socket.bind(endpoint), signal);
      break;
    } catch (error) {
      if (signal?.aborted || isBrineError(error)) throw error;
      const code = zmqCode(error);
      // EAGAIN: libzmq sometimes reports a busy port that way under load; a retry gets EADDRINUSE.
      const retryable = code === 'EAGAIN' || (code === 'EADDRINUSE' && !isPathAddress(address) && address.port !== 0);
      if (retryable && Date.now() < deadline) {
        await delay(RELEASE_RETRY_MS, undefined, { signal });
        continue;
      }
      // A fixed port that still answers EAGAIN after the retries is held (seen only for ports in use).
      const inUse = code === 'EADDRINUSE' || (code === 'EAGAIN' && !isPathAddress(address) && address.port !== 0);
      throw new TransportError(
        inUse ? ErrorCodes.ADDRESS_IN_USE : ErrorCodes.UNREACHABLE,
        `cannot bind ${endpoint} (${code || String(error)})`,
        { cause: error, details: { endpoint } },
      );
    }
  }
  if (isPathAddress(address)) await chmod(address.path, 0o600).catch(() => undefined);
  return boundAddress(address, socket.lastEndpoint);
}
