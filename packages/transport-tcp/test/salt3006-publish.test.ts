import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loads, packb } from '@brine/contracts';
import { encodeFrame, tcpTransport } from '@brine/transport-tcp';

/**
 * Salt 3006's TCPPublishServer.publish_payload frames the payload map itself
 * (`frame_msg(payload)`), where 3007+ frames `bin(dumps(payload))`: both must reach the channel as
 * the payload's bytes, without dropping the connection.
 */
describe('tcp publish client and Salt 3006 publish frames', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('accepts a map body (3006) and a bin body (3007+) on one connection', async () => {
    const sockets = new Set<net.Socket>();
    let connections = 0;
    const payload = {
      enc: 'aes',
      load: new Uint8Array([0xc1, 0xff, 0x00, 0x80]),
      sig: new Uint8Array([0xfe, 0x01, 0x02]),
    };
    const server = net.createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.write(encodeFrame({}, payload)); // 3006
      socket.write(encodeFrame({}, packb(payload))); // 3007+
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanup.push(() => sockets.forEach((s) => s.destroy()));
    const client = tcpTransport().publishClient();
    cleanup.push(() => client.close());
    await client.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    const got: unknown[] = [];
    for await (const message of client) {
      got.push(loads(message));
      if (got.length === 2) break;
    }
    expect(got).toEqual([payload, payload]);
    expect(connections).toBe(1);
  });
});
