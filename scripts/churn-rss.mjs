#!/usr/bin/env node
// Request-client churn (issue 10 item 9, Salt's test #68637 budget: <= 512 KB): per transport, one
// process holds a request server; a request client is created, connected, asked one request and
// closed, 120 times to warm up, then 400 times more. RSS and heap after a full GC are compared
// before and after the 400, and the server's state and the process's handles are counted.
//
//   pnpm run build && node --expose-gc scripts/churn-rss.mjs [tcp,ws,zeromq] [--cycles 400] [--warmup 120]
//
// CHURN_OPTS='{"tcpKeepalive":false}' passes transport options. Prints one line per transport and
// exits 1 when a transport grows RSS over the budget. RSS after a GC also moves with V8's young
// generation (it grows with the allocation rate: see "V8 heap total") and with what malloc keeps;
// --min-semi-space-size=1 --max-semi-space-size=1 takes the first out, a longer --warmup lets
// the JIT settle. A leak shows as heap growth proportional to --cycles.
import { setTimeout as delay } from 'node:timers/promises';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CYCLES = flag('--cycles', 400);
const WARMUP = flag('--warmup', 120);
const BUDGET = 512 * 1024;
const names = (args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'tcp,ws,zeromq').split(',');
const factories = { tcp: tcpTransport, ws: wsTransport, zeromq: zmqTransport };

async function settle() {
  for (let i = 0; i < 4; i++) {
    await delay(50);
    globalThis.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external + m.arrayBuffers };
}

const handles = () => process._getActiveHandles().length;

async function churn(name) {
  const transport = factories[name](process.env.CHURN_OPTS ? JSON.parse(process.env.CHURN_OPTS) : {});
  const server = transport.requestServer({ unauthenticatedTimeout: 0 });
  const address = await server.listen({ host: '127.0.0.1', port: 0 }, (message) => message);
  const cycle = async () => {
    const client = transport.requestClient({ reconnect: { reconDefault: 50, reconMax: 200 } });
    await client.connect(address, { timeout: 5000 });
    await client.request({ ping: 1 }, { timeout: 5000 });
    await client.close();
  };
  for (let i = 0; i < WARMUP; i++) await cycle();
  const before = await settle();
  const handlesBefore = handles();
  for (let i = 0; i < CYCLES; i++) await cycle();
  const after = await settle();
  const stats = server.stats?.();
  const result = {
    transport: name,
    rssGrowth: after.rss - before.rss,
    heapGrowth: after.heap - before.heap,
    externalGrowth: after.external - before.external,
    heapTotalGrowth: after.heapTotal - before.heapTotal,
    handlesBefore,
    handlesAfter: handles(),
    serverConnections: stats?.connections,
    serverInFlight: stats?.inFlight,
  };
  await server.close();
  return result;
}

let failed = false;
for (const name of names) {
  const r = await churn(name);
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const ok = r.rssGrowth <= BUDGET;
  failed ||= !ok;
  console.log(
    `${name.padEnd(7)} ${CYCLES} cycles after ${WARMUP} warm-ups: RSS ${kb(r.rssGrowth)}, heap ${kb(r.heapGrowth)} (V8 heap total ${kb(r.heapTotalGrowth)}), external ${kb(r.externalGrowth)}, ` +
      `handles ${r.handlesBefore} -> ${r.handlesAfter}, server connections ${r.serverConnections} in flight ${r.serverInFlight} ` +
      `${ok ? 'ok' : `OVER the ${kb(BUDGET)} budget`}`,
  );
}
process.exit(failed ? 1 : 0);
