/** Brine's bare transports (no channel, no crypto) behind the load loops' interfaces. */
import type { TransportFactory } from '@brine/contracts';
import { countdown } from '../raw/countdown.js';
import { LOOPBACK, portOf } from '../transports.js';
import type { EchoServer, OnMessage, Publisher, Requester, SubscriberGroup } from './types.js';

export async function brineEchoServer(factory: TransportFactory): Promise<EchoServer> {
  // A bare echo server has no sign-in: every connection counts as authenticated (no 16 KiB
  // pre-authentication limit on the 64 KiB cells, no unauthenticated timeout).
  const server = factory.requestServer({ authMaxMessageSize: 0 });
  const address = await server.listen({ host: LOOPBACK, port: 0 }, (message) => message);
  return { port: portOf(address), close: () => server.close() };
}

export async function brineRequester(factory: TransportFactory, port: number): Promise<Requester> {
  const client = factory.requestClient();
  await client.connect({ host: LOOPBACK, port }, { timeout: 30_000 });
  return {
    send(payload, done) {
      client.request(payload).then(() => done(), done);
    },
    close: () => client.close(),
  };
}

export async function brinePublisher(factory: TransportFactory): Promise<Publisher> {
  const server = factory.publishServer();
  const joined = countdown();
  server.events.on('connection', () => joined.tick());
  const address = await server.listen({ host: LOOPBACK, port: 0 });
  return {
    port: portOf(address),
    waitSubscribers: (count, timeout) => joined.reach(count, timeout, `${factory.name} subscribers`),
    publish: (payload) => server.publish(payload),
    close: () => server.close(),
  };
}

/** `decode` turns what a client received into the bench payload (the channel decrypts here). */
export async function brineSubscribers(
  factory: TransportFactory,
  port: number,
  count: number,
  onMessage: OnMessage,
  decoder: (index: number, client: ReturnType<TransportFactory['publishClient']>) => Decoder = () => identity,
  idPrefix = 'sub',
): Promise<SubscriberGroup> {
  const clients = Array.from({ length: count }, () => factory.publishClient());
  await Promise.all(
    clients.map((c, i) => c.connect({ host: LOOPBACK, port }, { identity: `${idPrefix}-${i}`, timeout: 60_000 })),
  );
  const loops = clients.map(async (client, i) => {
    const decode = decoder(i, client);
    for await (const bytes of client) {
      const body = await decode(bytes);
      if (body) onMessage(i, body);
    }
  });
  return {
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.allSettled(loops);
    },
  };
}

export type Decoder = (bytes: Uint8Array) => Promise<Uint8Array | undefined> | Uint8Array | undefined;

const identity: Decoder = (bytes) => bytes;
