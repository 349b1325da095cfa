import { afterEach, describe, expect, it } from 'vitest';
import { type TransportFactory } from '@brine/contracts';
import { createMaster, MemoryKeyStore, type Master } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';

/** A tcp transport whose publish servers record what the master hands them. */
function recordingTcp(sent: Uint8Array[], base: TransportFactory = tcpTransport()): TransportFactory {
  return {
    ...base,
    // The master configures its transport with withOptions: the copy must record too.
    withOptions: (options) => recordingTcp(sent, base.withOptions(options)),
    publishServer(options) {
      const server = base.publishServer(options);
      const publish = server.publish.bind(server);
      server.publish = (payload, opts) => {
        sent.push(payload);
        return publish(payload, opts);
      };
      return server;
    },
  };
}

describe('master publish', () => {
  let master: Master | undefined;
  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  it('sends nothing when the target matches no accepted minion (as a salt-master), and sends once one does', async () => {
    const sent: Uint8Array[] = [];
    const suite = createNodeSaltSuite();
    const store = new MemoryKeyStore();
    master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0 },
      { transports: [recordingTcp(sent)], suite, keyStore: store },
    );
    await master.start();
    const pem = (await store.ensureKeyPair('master', () => Promise.reject(new Error('exists')))).publicPem;
    await store.putMinionKey('pending', 'web1', pem);

    // Pending (or deleted) keys are not targets: the job must not reach them.
    expect(await master.publish({ tgt: 'web1', fun: 'test.ping' })).toMatchObject({ minions: [] });
    const ran = await master.run('*', 'test.ping', [], { timeoutSeconds: 30 });
    expect(ran).toMatchObject({ minions: [], returns: {}, missing: [] });
    expect(sent).toHaveLength(0);

    expect(await store.moveMinionKey('web1', 'pending', 'accepted')).toBe(true);
    expect(await master.publish({ tgt: 'web1', fun: 'test.ping' })).toMatchObject({ minions: ['web1'] });
    expect(sent).toHaveLength(1);
  });
});
