import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { ErrorCodes, TimeoutError } from '@brine/contracts';
import { LOOPBACK } from '../transports.js';

/** A free loopback port (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen({ host: LOOPBACK, port: 0, exclusive: true });
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null)
    throw new TimeoutError(ErrorCodes.TIMEOUT, 'could not read a bound port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Waits until every port accepts connections: a readiness probe for a daemon this process does
 * not control (it says nothing else when it is ready). `alive` stops the wait when it has died.
 */
export async function waitForPorts(ports: number[], timeout: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (!alive()) throw new TimeoutError(ErrorCodes.TIMEOUT, 'salt-master exited before it was ready');
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) return;
    if (Date.now() > deadline)
      throw new TimeoutError(ErrorCodes.TIMEOUT, `salt-master ports ${ports.join(', ')} not ready after ${timeout} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 100).unref());
  }
}
