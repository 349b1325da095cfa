// Request-client churn (issue 10 item 9): what a server and the process hold after many
// connect/request/close cycles must not grow with the cycles. RSS is measured by
// scripts/churn-rss.mjs (node --expose-gc); here the counts that would show a leak: the server's
// connections, unauthenticated peers, requests in flight and budget claims, and the process's
// active handles, compared with what they were after the warm-up.
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestServer, TransportFactory } from '@brine/contracts';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

const transports: Array<[string, () => TransportFactory]> = [
  ['tcp', () => tcpTransport()],
  ['ws', () => wsTransport()],
  ['zeromq', () => zmqTransport()],
];

const activeHandles = (): number =>
  (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

async function until(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(transports)('request-client churn (%s)', (_name, transport) => {
  let server: RequestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('200 connect/request/close cycles after 40 warm-ups leave nothing behind', async () => {
    const factory = transport();
    server = factory.requestServer({ unauthenticatedTimeout: 0 });
    const address = await server.listen({ host: '127.0.0.1', port: 0 }, (message, context) => {
      context.authenticate?.();
      return message;
    });
    const cycle = async (i: number): Promise<void> => {
      const client = factory.requestClient({ reconnect: { reconDefault: 50, reconMax: 200 } });
      await client.connect(address, { timeout: 5000 });
      expect(await client.request({ i }, { timeout: 5000 })).toEqual({ i });
      await client.close();
    };
    for (let i = 0; i < 40; i++) await cycle(i);
    const s = server;
    await until(() => s.stats!().connections === 0, 'the warm-up connections to close');
    const handles = activeHandles();
    for (let i = 0; i < 200; i++) await cycle(i);
    await until(() => s.stats!().connections === 0, 'every connection to close');
    const stats = s.stats!();
    expect(stats).toMatchObject({ connections: 0, unauthenticated: 0, inFlight: 0, inboundBytes: 0, outboundBytes: 0 });
    expect(stats.refused).toEqual({});
    await until(() => activeHandles() <= handles, 'the handles to go');
    expect(activeHandles()).toBeLessThanOrEqual(handles);
  });
});
