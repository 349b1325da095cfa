// A loopback TCP proxy in front of a master's request port: `drop()` closes every proxied
// connection from the master's side, as a master restart of the link (or a NAT timeout) would.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface DropProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Resolves once `count` connections have been accepted in all. */
  acceptedAt(count: number): Promise<void>;
  /** Destroys every open proxied connection (both legs). */
  drop(): void;
  close(): Promise<void>;
}

export async function startDropProxy(target: { host: string; port: number }): Promise<DropProxy> {
  const open = new Set<Socket>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let accepted = 0;
  const server: Server = createServer((inbound) => {
    accepted++;
    const outbound = connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {});
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
    for (const w of waiters.splice(0)) {
      if (accepted >= w.count) w.resolve();
      else waiters.push(w);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    acceptedAt: (count) =>
      accepted >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    drop: () => {
      for (const s of open) s.destroy();
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
