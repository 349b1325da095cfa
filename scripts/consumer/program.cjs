// program.mjs with require(): the CommonJS consumer.
const { createMaster, createMinion, MemoryKeyStore } = require('@brine/core');
const { createNodeSaltSuite } = require('@brine/crypto/node');
const { tcpTransport } = require('@brine/transport-tcp');
const { isBrineError } = require('@brine/contracts');

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
