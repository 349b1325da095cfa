import net, { type AddressInfo, type Socket } from 'node:net';
import type { Address, HostAddress } from '@brine/contracts';

export const FAST_RECONNECT = { reconDefault: 20, reconMax: 200, reconRandomize: false };
export const LOOPBACK: HostAddress = { host: '127.0.0.1', port: 0 };

/** A ZMTP 3.1 greeting (signature, version 3.1) naming a security mechanism no one has. */
export const ZMTP_GARBAGE: Uint8Array = (() => {
  const greeting = new Uint8Array(64);
  greeting[0] = 0xff;
  greeting[9] = 0x7f;
  greeting[10] = 3;
  greeting[11] = 1;
  greeting.set(new TextEncoder().encode('BOGUS'), 12);
  return greeting;
})();

export function endpointOf(address: Address): string {
  if ('path' in address) return `ipc://${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

/** A loopback TCP proxy that records every byte in both directions and can freeze (stop forwarding without closing). */
export interface TapProxy {
  address: HostAddress;
  /** Bytes client→server and server→client so far, concatenated over every connection. */
  upstream(): Buffer;
  downstream(): Buffer;
  /** Stops forwarding and reading in both directions; the connections stay open (a hung peer). */
  freeze(): void;
  close(): Promise<void>;
}

export async function tapProxy(target: HostAddress): Promise<TapProxy> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets = new Set<Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    const remote = net.connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(remote);
    const pipe = (from: Socket, to: Socket, log: Buffer[]) => {
      from.on('data', (chunk: Buffer) => {
        if (frozen) return;
        log.push(chunk);
        to.write(chunk);
      });
      from.on('close', () => {
        if (!frozen) to.destroy();
        sockets.delete(from);
      });
      from.on('error', () => {});
    };
    pipe(client, remote, up);
    pipe(remote, client, down);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    address: { host: '127.0.0.1', port },
    upstream: () => Buffer.concat(up),
    downstream: () => Buffer.concat(down),
    freeze: () => {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
