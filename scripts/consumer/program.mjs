// The same small program for every consumer kind: a master and a minion over tcp on loopback, one
// test.ping. It has no type annotations, so consumer-check runs this text as ESM (.mjs) and compiles
// it as TypeScript, strict, to ESM (.mts) and to CommonJS (.cts); program.cjs is its require() twin.
import { createMaster, createMinion, MemoryKeyStore } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { isBrineError } from '@brine/contracts';

async function main() {
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
