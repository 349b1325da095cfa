/**
 * A Brine master served over loopback TCP (request + publish servers), for the tests that need a
 * real transport between the two ends. Everything listens on 127.0.0.1 with OS-chosen ports.
 */
import { silentLogger, type HostAddress, type PublishServer, type RequestClient } from '@brine/contracts';
import { PubServerChannel } from '@brine/core';
import { tcpTransport } from '@brine/transport-tcp';
import type { MasterFixture } from './auth-fixtures.js';

export const tcp = tcpTransport({ reconnect: { reconDefault: 50, reconMax: 200, reconRandomize: false } });

export interface Network {
  reqAddress: HostAddress;
  pubAddress: HostAddress;
  pub: PubServerChannel;
  /** The transport-level publish server (publishing raw bytes through it bypasses the channel). */
  pubServer: PublishServer;
  /** Every payload the channel handed to the publish server, in order. */
  published: Uint8Array[];
  /** A new request client connected to the master (closed with the network). */
  client(): Promise<RequestClient>;
  /** Registers something to close with the network. */
  track<T extends { close(): unknown }>(closable: T): T;
  close(): Promise<void>;
}

export async function startNetwork(master: MasterFixture): Promise<Network> {
  const closables: { close(): unknown }[] = [];
  const track = <T extends { close(): unknown }>(c: T): T => {
    closables.push(c);
    return c;
  };
  const published: Uint8Array[] = [];
  const real = track(tcp.publishServer());
  const pubServer = new Proxy(real, {
    get(target, key) {
      if (key === 'publish') {
        return (payload: Uint8Array, options?: Parameters<PublishServer['publish']>[1]) => {
          published.push(payload);
          return target.publish(payload, options);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const pub = new PubServerChannel({
    transport: pubServer,
    suite: master.suite,
    masterKeys: master.masterKeys,
    shared: master.shared,
    tokens: master.tokens,
    logger: silentLogger,
  });
  const pubAddress = (await pub.listen({ host: '127.0.0.1', port: 0 })) as HostAddress;
  const reqServer = track(tcp.requestServer());
  const reqAddress = (await reqServer.listen({ host: '127.0.0.1', port: 0 }, master.channel.handle)) as HostAddress;
  return {
    reqAddress,
    pubAddress,
    pub,
    pubServer: real,
    published,
    async client() {
      const client = track(tcp.requestClient());
      await client.connect(reqAddress, { timeout: 10_000 });
      return client;
    },
    track,
    async close() {
      for (const c of closables.reverse()) await c.close();
    },
  };
}
