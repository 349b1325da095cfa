import { afterEach, describe, expect, it } from 'vitest';
import { createMaster, MemoryKeyStore, type Master } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { zmqTransport } from '@brine/transport-zmq';
import { daemonCompliance } from '@brine/compliance/daemons';

daemonCompliance({ name: 'zeromq', transport: () => zmqTransport() });

describe('master capabilities under its config (zeromq)', () => {
  const masters: Master[] = [];
  afterEach(async () => {
    for (const m of masters.splice(0)) await m.close();
  });
  const start = async (zmq_filtering: boolean) => {
    const m = createMaster(
      { transport: 'zeromq', interface: '127.0.0.1', publish_port: 0, ret_port: 0, zmq_filtering },
      { transports: [zmqTransport()], suite: createNodeSaltSuite(), keyStore: new MemoryKeyStore() },
    );
    masters.push(m);
    expect(m.capabilities).toBeUndefined();
    await m.start();
    return m;
  };

  it('reports targeted publish on exactly when zmq_filtering is on', async () => {
    expect((await start(true)).capabilities).toEqual({ targetedPublish: true, presence: false, tls: false });
    expect((await start(false)).capabilities).toEqual({ targetedPublish: false, presence: false, tls: false });
  });
});
