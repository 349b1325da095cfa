// The latency probe: a legitimate Brine minion in its own process (the library's createMinion, as
// `brine minion` runs it), started by the suite with `node --unhandled-rejections=strict` through
// child_process.fork. Once signed in it fires one `_minion_event` every PROBE_INTERVAL ms and
// reports each round trip to the parent: { type: 'sample', t, ms, error? }. It also reports every
// job it runs ({ type: 'job', fun, jid }). Config comes from the environment (PROBE_*).
import { join } from 'node:path';
import { createLogger, formatRecord } from '@brine/contracts';
import { createMinion } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

const env = process.env;
const id = env.PROBE_ID;
const root = env.PROBE_ROOT;
const interval = Number(env.PROBE_INTERVAL ?? 50);
const send = (m) => process.send?.(m);

const logger = createLogger({
  level: 'warning',
  name: `brine.probe.${id}`,
  sink: (record) => send({ type: 'log', line: formatRecord(record) }),
});
const minion = createMinion(
  {
    id,
    transport: env.PROBE_TRANSPORT,
    master: '127.0.0.1',
    master_port: Number(env.PROBE_MASTER_PORT),
    publish_port: Number(env.PROBE_PUBLISH_PORT),
    pki_dir: join(root, 'pki'),
    cachedir: join(root, 'cache'),
    sock_dir: join(root, 'sock'),
    acceptance_wait_time: 1,
    acceptance_wait_time_max: 1,
  },
  {
    transports: [zmqTransport(), tcpTransport(), wsTransport()],
    suite: createNodeSaltSuite(),
    keyStore: new FsKeyStore(join(root, 'pki')),
    logger,
  },
);
minion.functions.register('adv.big', (_args, kwargs) => 'x'.repeat(Number(kwargs.size ?? 0)));
minion.events.on('job', (load) => send({ type: 'job', fun: String(load.fun), jid: String(load.jid) }));

let stopping = false;
process.on('message', (m) => {
  if (m?.type === 'stop') {
    stopping = true;
    void minion.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

await minion.start();
send({ type: 'ready' });
let n = 0;
while (!stopping) {
  const started = Date.now();
  const t0 = performance.now();
  let error;
  try {
    await minion.fireMaster(`salt/minion/${id}/probe`, { n: n++ }, { timeout: 5000, tries: 1 });
  } catch (e) {
    error = e?.code ?? String(e);
  }
  const ms = performance.now() - t0;
  if (stopping) break;
  send({ type: 'sample', t: started, ms, ...(error ? { error } : {}) });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, interval - ms)));
}
