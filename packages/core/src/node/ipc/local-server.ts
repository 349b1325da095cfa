import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { TransportError, ErrorCodes } from '@brine/contracts';

/** Listens on a unix socket readable by its owner only (Salt chmods its IPC sockets 0600). */
export async function listenLocal(path: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  await rm(path, { force: true });
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new TransportError(ErrorCodes.UNREACHABLE, `cannot listen on ${path}`, { cause: error })),
    );
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}

export async function closeLocal(server: net.Server, path: string, sockets: Iterable<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(path, { force: true });
}
