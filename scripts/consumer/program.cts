// The same small program, as TypeScript compiled to CommonJS (strict): a master and a minion over tcp on loopback, one test.ping.
import { createMaster, createMinion, MemoryKeyStore } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { isBrineError } from '@brine/contracts';

async function main(): Promise<void> {
  const wiring = { transports: [tcpTransport()], suite: createNodeSaltSuite() };
  const master = createMaster(
    { transport: 'tcp', interface: '127.0.0.1', publish_port: 0, ret_port: 0, auto_accept: true },
    { ...wiring, keyStore: new MemoryKeyStore() },
  );
  const { request } = await master.start();
  const minion = createMinion(
    { id: 'alpha', transport: 'tcp', master: '127.0.0.1', master_port: 'port' in request ? request.port : 0 },
    { ...wiring, keyStore: new MemoryKeyStore() },
  );
  await minion.start({ timeout: 20_000 });
  const result = await master.run('alpha', 'test.ping');
  await minion.close();
  await master.close();
  console.log(JSON.stringify({ returns: result.returns, brineError: isBrineError(new Error('x')) }));
}
void main();
