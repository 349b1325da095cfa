import net from 'node:net';
import { ConfigError, ErrorCodes, type Address } from '@brine/contracts';

/** A plain TCP connection to a server's port, for sending bytes no real client would. */
export interface RawConnection {
  socket: net.Socket;
  /** Resolves when the server (or anyone) closes the connection. */
  closed: Promise<void>;
  write(bytes: Uint8Array): void;
  destroy(): void;
}

export async function rawConnect(address: Address): Promise<RawConnection> {
  if ('path' in address) throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, 'raw connections need a host:port address');
  const socket = net.connect({ host: address.host, port: address.port });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    closed,
    write: (bytes) => socket.write(bytes),
    destroy: () => socket.destroy(),
  };
}
