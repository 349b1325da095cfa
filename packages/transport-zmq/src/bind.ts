import { chmod } from 'node:fs/promises';
import { ErrorCodes, isBrineError, isPathAddress, raceSignal, TransportError, type Address } from '@brine/contracts';
import type { Socket } from 'zeromq';
import { boundAddress, toEndpoint } from './endpoint.js';
import { zmqCode } from './errors.js';

/**
 * Binds a server socket and returns the address it really got (the OS-chosen port for port 0).
 * An ipc:// socket file is made 0600, as Salt does for its ipc sockets.
 */
export async function bindSocket(socket: Socket, address: Address, signal?: AbortSignal): Promise<Address> {
  const endpoint = toEndpoint(address, true);
  try {
    await raceSignal(socket.bind(endpoint), signal);
  } catch (error) {
    if (signal?.aborted || isBrineError(error)) throw error;
    throw new TransportError(ErrorCodes.UNREACHABLE, `cannot bind ${endpoint} (${zmqCode(error) || String(error)})`, {
      cause: error,
      details: { endpoint },
    });
  }
  if (isPathAddress(address)) await chmod(address.path, 0o600).catch(() => undefined);
  return boundAddress(address, socket.lastEndpoint);
}
